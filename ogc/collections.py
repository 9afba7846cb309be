# SPDX-License-Identifier: EUPL-1.2
"""The collections of /ogc/: one small description each, in one dict (as pygeoapi does).

Each collection reuses what the REST API already has: the rows the caller may read
(api.permissions), the Feature as SQL (api.serializers) and the filter parsing of its
list endpoint: observations through the one filter vocabulary (walks.filters) by
`vocabulary_filters`, walks and districts through the REST parameters by `rest_filters`.
Every observation filter but those OGC asks in its own words (bbox, datetime) is a
queryable; two are named as the Feature's properties are (light_condition, is_positive).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import Transform
from django.db.models import F, Func
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from api.filters import DistrictParameters, WalkParameters, filter_walks
from api.geojson import GeoJSONGeometry, JSONBuildObject
from api.permissions import (
    internal_scope,
    join_code_scope,
    observations_for,
    reads_internal,
    tracks_for,
)
from api.serializers import (
    district_feature,
    municipality_feature,
    observation_feature,
    walk_feature,
)
from geo.models import District, Municipality
from ogc.crs import CRS
from walks.filters import FILTERS, FilterError, apply_filters, check_filters
from walks.models import LightCondition, SafetyWalk, Status, WalkState


class FlipCoordinates(Func):
    """ST_FlipCoordinates: y, x for the CRSs whose first axis is latitude or northing."""

    function = "ST_FlipCoordinates"


def in_crs(feature: JSONBuildObject, geometry: str, crs: CRS) -> JSONBuildObject:
    """The same Feature with its geometry in `crs`, in that CRS's axis order.

    A Feature is json_build_object('type', …, 'id', …, 'geometry', …, 'properties', …)
    (api.geojson.Feature): the members are rebuilt with only the geometry replaced.
    """
    parts = feature.get_source_expressions()
    members = {key.value: value for key, value in zip(parts[0::2], parts[1::2], strict=True)}
    shape = F(geometry)
    if crs.srid != 4326:
        shape = Transform(shape, crs.srid)
    if crs.northing_first:
        shape = FlipCoordinates(shape, output_field=GeometryField())
    members["geometry"] = GeoJSONGeometry(shape, decimals=crs.decimals)
    return JSONBuildObject(**members)


def rest_filters(parameters: type[serializers.Serializer], apply, names: dict[str, str]):
    """Property filters through the REST API's own parsing and filtering.

    `names` maps each OGC queryable to the REST query parameter it is; the values are
    checked by the REST parameters' serializer and applied by its filter function, and
    errors come back under the OGC names.
    """
    rest_to_ogc = {rest: ogc for ogc, rest in names.items()}

    def narrow(rows, given: dict[str, str]):
        if not given:
            return rows
        query = {names[name]: value for name, value in given.items()}
        form = parameters(data=query)
        if not form.is_valid():
            raise ValidationError(
                {rest_to_ogc.get(name, name): errors for name, errors in form.errors.items()}
            )
        return apply(rows, {k: v for k, v in form.validated_data.items() if k in query})

    return narrow


# The observation filters OGC asks in its own words: bbox, and datetime for the two times.
OGC_OWN = {"bbox", "observed_after", "observed_before"}
# Queryables named as the Feature's properties, where the vocabulary's name differs.
PROPERTY_NAMES = {"light": "light_condition", "positive": "is_positive"}
OBSERVATION_QUERYABLES = {
    PROPERTY_NAMES.get(name, name): name for name in FILTERS if name not in OGC_OWN
}


def vocabulary_filters(rows, given: dict[str, str]):
    """The observations narrowed by walks.filters; errors under the queryables' names."""
    values, errors = {}, {}
    for queryable, text in given.items():
        name = OBSERVATION_QUERYABLES[queryable]
        try:
            values[name] = FILTERS[name].parse(name, text)
        except FilterError as error:
            errors[queryable] = [str(error)]
    if errors:
        raise ValidationError(errors)
    together = check_filters(values)
    if together:
        raise ValidationError(
            {PROPERTY_NAMES.get(name, name): [message] for name, message in together.items()}
        )
    return apply_filters(rows, values)


def _observation_queryable(name: str) -> dict:
    """The queryable's JSON schema: a list of choices where the vocabulary has one."""
    if name == "status":
        return _choices(Status.values)
    if name == "light":
        return _choices(LightCondition.values)
    return dict(FILTERS[name].schema)


def _filter_districts(rows, query):
    if "municipality" in query:
        rows = rows.filter(municipality__code=query["municipality"])
    return rows


def _no_filters(rows, query):
    return rows


_TEXT = {"type": "string"}
_ID = {"type": "integer"}


def _choices(values) -> dict:
    return {"type": "string", "enum": list(values)}


@dataclass
class Collection:
    id: str
    title: Promise
    description: Promise
    geometry: str  # the geometry column
    geometry_type: str
    rows: Callable  # request -> the QuerySet of what the caller may read
    # request -> the Feature as SQL (api.serializers); its geometry becomes `geometry`.
    feature: Callable
    narrow: Callable  # (rows, {queryable: value}) -> rows
    queryables: dict[str, dict] = field(default_factory=dict)
    # The temporal property: one moment, or (start, end) of an interval; None when none.
    time: tuple[str, ...] | None = None
    readable: Callable = lambda request: True

    def in_period(self, rows, period):
        """Rows whose time intersects [start, end]; with no time, none."""
        if self.time is None:
            return rows.filter(pk__isnull=True)  # no time: nothing intersects
        start, end = period
        first, last = self.time[0], self.time[-1]
        if start is not None:
            rows = rows.filter(**{f"{last}__gte": start})
        if end is not None:
            rows = rows.filter(**{f"{first}__lte": end})
        return rows


def _walk_feature(request):
    return walk_feature(internal=internal_scope(request), join_code=join_code_scope(request))


_WALK_QUERYABLES = {"municipality": _TEXT, "state": _choices(WalkState.values)}

COLLECTIONS = {
    collection.id: collection
    for collection in (
        Collection(
            id="observations",
            title=_("Observations"),
            description=_(
                "What walkers and residents found: problems and good places, with category, "
                "status and severity."
            ),
            geometry="geom",
            geometry_type="Point",
            rows=lambda request: observations_for(request),
            feature=lambda request: observation_feature(internal=internal_scope(request)),
            narrow=vocabulary_filters,
            queryables={
                queryable: _observation_queryable(name)
                for queryable, name in OBSERVATION_QUERYABLES.items()
            },
            time=("observed_at",),
        ),
        Collection(
            id="walks",
            title=_("Safety walks"),
            description=_("Safety walks with their planned route."),
            geometry="route",
            geometry_type="LineString",
            rows=lambda request: SafetyWalk.objects.all(),
            feature=_walk_feature,
            narrow=rest_filters(
                WalkParameters, filter_walks, {"municipality": "municipality", "state": "state"}
            ),
            queryables=_WALK_QUERYABLES,
            time=("starts_at", "ends_at"),
        ),
        Collection(
            id="tracks",
            title=_("Recorded tracks"),
            description=_(
                "The routes the participants of each walk recorded, as one line per walk. "
                "For department staff, planners and administrators, as on the map workspace."
            ),
            geometry="track",
            geometry_type="MultiLineString",
            rows=tracks_for,
            feature=_walk_feature,
            narrow=rest_filters(
                WalkParameters, filter_walks, {"municipality": "municipality", "state": "state"}
            ),
            queryables=_WALK_QUERYABLES,
            time=("starts_at", "ends_at"),
            readable=reads_internal,
        ),
        Collection(
            id="districts",
            title=_("Districts"),
            description=_("The districts of each municipality, with their population."),
            geometry="geom",
            geometry_type="MultiPolygon",
            rows=lambda request: District.objects.all(),
            feature=lambda request: district_feature(),
            narrow=rest_filters(
                DistrictParameters, _filter_districts, {"municipality": "municipality"}
            ),
            queryables={"municipality": _TEXT},
        ),
        Collection(
            id="municipalities",
            title=_("Municipalities"),
            description=_("Municipalities with their boundaries and national CRS."),
            geometry="geom",
            geometry_type="MultiPolygon",
            rows=lambda request: Municipality.objects.all(),
            feature=lambda request: municipality_feature(),
            narrow=_no_filters,
        ),
    )
}


def readable_collections(request) -> list[Collection]:
    return [c for c in COLLECTIONS.values() if c.readable(request)]
