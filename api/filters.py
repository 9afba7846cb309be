# SPDX-License-Identifier: EUPL-1.2
"""Query parameters of the list endpoints: parsed, validated, then applied as ORM lookups.

Each list endpoint has a small serializer of its query parameters. It is also what the
OpenAPI document shows (drf-spectacular turns a serializer into query parameters). A
parameter the endpoint does not know is a 400 that names it, so a typo never silently
returns everything.
"""

from django.contrib.gis.geos import Polygon
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from walks.models import LightCondition, Status, WalkState

DEFAULT_LIMIT = 100
# A map view draws up to this many points at once; more than that, it asks for aggregates.
MAX_LIMIT = 10_000


@extend_schema_field(OpenApiTypes.STR)
class CommaListField(serializers.Field):
    """`a,b,c` → ["a", "b", "c"], each item checked by `child`."""

    def __init__(self, child, **kwargs):
        self.child = child
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        items = [item.strip() for item in str(data).split(",") if item.strip()]
        if not items:
            raise ValidationError(_("Give at least one value."))
        return [self.child.run_validation(item) for item in items]

    def to_representation(self, value):
        return ",".join(value)


class BBoxField(serializers.CharField):
    default_error_messages = {
        "format": _("Give four numbers: minLon,minLat,maxLon,maxLat."),
        "range": _("Longitudes must be within -180…180 and latitudes within -90…90."),
        "order": _("The minimum must be less than the maximum."),
    }

    def to_internal_value(self, data):
        try:
            numbers = [float(part) for part in str(data).split(",")]
        except ValueError:
            self.fail("format")
        if len(numbers) != 4 or any(n != n or n in (float("inf"), float("-inf")) for n in numbers):
            self.fail("format")
        min_lon, min_lat, max_lon, max_lat = numbers
        if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
            self.fail("range")
        if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
            self.fail("range")
        if min_lon >= max_lon or min_lat >= max_lat:
            self.fail("order")
        return Polygon.from_bbox(numbers)


class PagingParameters(serializers.Serializer):
    limit = serializers.IntegerField(
        min_value=1,
        max_value=MAX_LIMIT,
        default=DEFAULT_LIMIT,
        help_text=_("Features per page (1–10000, default 100)."),
    )
    offset = serializers.IntegerField(
        min_value=0, max_value=10**9, default=0, help_text=_("Features to skip.")
    )


def read_query(request, parameters: type[serializers.Serializer]) -> dict:
    """The validated query parameters, or a 400 naming every unknown or bad one."""
    form = parameters()
    errors = {}
    query = {}
    for name, values in request.query_params.lists():
        if name not in form.fields:
            errors[name] = [_("Unknown query parameter.")]
        elif len(values) > 1:
            errors[name] = [_("Give this parameter once; separate several values with commas.")]
        else:
            query[name] = values[0]
    if errors:
        raise ValidationError(errors)
    # A plain dict, not the QueryDict: DRF reads a missing boolean in form data as false.
    form = parameters(data=query)
    form.is_valid(raise_exception=True)
    return form.validated_data


class MunicipalityParameters(PagingParameters):
    pass


class DistrictParameters(PagingParameters):
    municipality = serializers.CharField(
        required=False, max_length=10, help_text=_("Municipality code, e.g. 285.")
    )


class CategoryParameters(serializers.Serializer):
    theme = serializers.SlugField(required=False, help_text=_("Theme code."))


class WalkParameters(PagingParameters):
    municipality = serializers.CharField(
        required=False, max_length=10, help_text=_("Municipality code.")
    )
    state = CommaListField(
        child=serializers.ChoiceField(WalkState.choices),
        required=False,
        help_text=_("Walk states, comma-separated: planned, walking, follow_up, closed."),
    )


class ObservationParameters(PagingParameters):
    bbox = BBoxField(
        required=False,
        help_text=_("minLon,minLat,maxLon,maxLat in WGS84, e.g. 26.90,60.44,26.98,60.48."),
    )
    municipality = serializers.CharField(
        required=False, max_length=10, help_text=_("Municipality code.")
    )
    district = serializers.IntegerField(required=False, min_value=1, help_text=_("District id."))
    category = CommaListField(
        child=serializers.SlugField(),
        required=False,
        help_text=_("Category codes, comma-separated."),
    )
    theme = serializers.SlugField(required=False, help_text=_("Theme code."))
    status = CommaListField(
        child=serializers.ChoiceField(Status.choices),
        required=False,
        help_text=_("Statuses, comma-separated: new, confirmed, assigned, in_progress, …"),
    )
    walk = serializers.IntegerField(required=False, min_value=1, help_text=_("Walk id."))
    severity_min = serializers.IntegerField(required=False, min_value=1, max_value=5)
    severity_max = serializers.IntegerField(required=False, min_value=1, max_value=5)
    observed_after = serializers.DateField(
        required=False, help_text=_("Observed on or after this day (YYYY-MM-DD, local time).")
    )
    observed_before = serializers.DateField(
        required=False, help_text=_("Observed before this day (YYYY-MM-DD, local time).")
    )
    light = serializers.ChoiceField(LightCondition.choices, required=False)
    positive = serializers.BooleanField(
        required=False, help_text=_("true: safe or pleasant places; false: problems.")
    )
    unit = CommaListField(
        child=serializers.SlugField(),
        required=False,
        help_text=_(
            "Responsible unit codes, comma-separated: the unit the observation is assigned "
            "to, or, while it is assigned to none, its category's default unit."
        ),
    )
    updated_since = serializers.DateTimeField(
        required=False,
        help_text=_("Changed at or after this moment (ISO 8601), for clients that sync."),
    )

    def to_internal_value(self, data):
        # An unencoded "+02:00" arrives as " 02:00"; a sync client means the plus sign.
        if isinstance(data.get("updated_since"), str):
            data = {**data, "updated_since": data["updated_since"].replace(" ", "+")}
        return super().to_internal_value(data)

    def validate(self, attrs):
        low, high = attrs.get("severity_min"), attrs.get("severity_max")
        if low is not None and high is not None and low > high:
            raise ValidationError({"severity_min": [_("Must not be above severity_max.")]})
        after, before = attrs.get("observed_after"), attrs.get("observed_before")
        if after and before and after >= before:
            raise ValidationError({"observed_after": [_("Must be before observed_before.")]})
        return attrs


# The list's sort orders: newest first by default; ties broken by id, so pages never overlap.
ORDERINGS = {
    "-observed_at": ("-observed_at", "-id"),
    "observed_at": ("observed_at", "id"),
    "-severity": (F("severity").desc(nulls_last=True), "-observed_at", "-id"),
    "-updated_at": ("-updated_at", "-id"),
}


class ObservationListParameters(ObservationParameters):
    ordering = serializers.ChoiceField(
        list(ORDERINGS),
        default="-observed_at",
        help_text=_(
            "Sort order: -observed_at (newest first), observed_at, -severity, -updated_at."
        ),
    )


def filter_observations(observations, query: dict):
    """Narrow an ObservationQuerySet by the parameters of ObservationParameters."""
    if "bbox" in query:
        observations = observations.in_bbox(query["bbox"])
    if "municipality" in query:
        observations = observations.filter(municipality__code=query["municipality"])
    if "district" in query:
        observations = observations.in_district(query["district"])
    if "category" in query:
        observations = observations.in_categories(query["category"])
    if "theme" in query:
        observations = observations.in_theme(query["theme"])
    if "status" in query:
        observations = observations.with_status(query["status"])
    if "walk" in query:
        observations = observations.in_walk(query["walk"])
    if "light" in query:
        observations = observations.filter(light_condition=query["light"])
    if "positive" in query:
        observations = observations.filter(is_positive=query["positive"])
    if "unit" in query:
        codes = query["unit"]
        observations = observations.filter(
            Q(responsible_unit__code__in=codes)
            | Q(responsible_unit__isnull=True, category__default_unit__code__in=codes)
        )
    if "updated_since" in query:
        observations = observations.changed_since(query["updated_since"])
    observations = observations.severity_between(
        query.get("severity_min"), query.get("severity_max")
    )
    # Whole days in local time.
    return observations.observed_between(query.get("observed_after"), query.get("observed_before"))


def filter_walks(queryset, query: dict):
    if "municipality" in query:
        queryset = queryset.filter(municipality__code=query["municipality"])
    if "state" in query:
        queryset = queryset.filter(state__in=query["state"])
    return queryset
