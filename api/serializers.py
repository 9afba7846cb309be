# SPDX-License-Identifier: EUPL-1.2
"""What the API says and reads, resource by resource.

Spatial resources are described as SQL expressions (`*_feature()`), turned into GeoJSON
by PostGIS (api.geojson). Plain resources use DRF serializers. Incoming observations are
GeoJSON Features read by `read_observation`, a plain function rather than a serializer:
a bulk of 500 is checked item by item and has to be fast.
"""

import itertools
import math
import re
import uuid

from django.contrib.gis.geos import LineString
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, Case, ExpressionWrapper, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.geojson import Feature, GeoJSONGeometry
from geo.models import address_label
from walks.models import (
    Category,
    LightCondition,
    Observation,
    ParticipantGroup,
    PositionSource,
    ResponsibleUnit,
    SafetyWalk,
    Status,
    StatusChange,
    Theme,
    Visibility,
    WalkState,
    normalise_join_code,
    observed_at_in_range,
)

LANGUAGES = ("fi", "sv", "en")


def language() -> str:
    code = (get_language() or "fi")[:2]
    return code if code in LANGUAGES else "fi"


def name_in_language(prefix: str = "name"):
    """SQL for geo.models.pick_language: the caller's language, then fi, sv, en."""
    first = language()
    order = [first] + [code for code in LANGUAGES if code != first]
    return Coalesce(*(NullIf(F(f"{prefix}_{code}"), Value("")) for code in order))


# Municipalities and districts


def municipality_feature():
    return Feature(
        id=F("id"),
        geometry=F("geom"),
        properties={
            "code": F("code"),
            "name": name_in_language(),
            "name_fi": F("name_fi"),
            "name_sv": F("name_sv"),
            "name_en": F("name_en"),
            "country": F("country"),
            "national_srid": F("national_srid"),
        },
    )


def district_feature():
    name = F("name")
    if language() == "sv":
        name = Coalesce(NullIf(F("name_sv"), Value("")), F("name"))
    return Feature(
        id=F("id"),
        geometry=F("geom"),
        properties={
            "id": F("id"),
            "code": F("code"),
            "name": name,
            "name_fi": F("name"),
            "name_sv": F("name_sv"),
            "population": F("population"),
            "municipality": F("municipality__code"),
        },
    )


# Walks


def only_in(scope, expression):
    """`expression` where `scope` reaches, null elsewhere: scope True is everywhere, else it
    is the ids of municipalities (api.permissions.internal_scope)."""
    if scope is True:
        return expression
    return Case(When(municipality_id__in=scope, then=expression), default=Value(None))


def walk_feature(*, internal, join_code):
    """`internal` and `join_code`: False, True, or the municipality ids where they show."""
    districts = SafetyWalk.districts.through.objects.filter(safetywalk_id=OuterRef("pk"))
    properties = {
        "id": F("id"),
        "title": F("title"),
        "municipality": F("municipality__code"),
        "districts": ArraySubquery(districts.order_by("district_id").values("district_id")),
        "starts_at": F("starts_at"),
        "ends_at": F("ends_at"),
        "theme": F("theme__code"),
        "group": F("group"),
        "state": F("state"),
        "is_open": ExpressionWrapper(
            Q(state__in=(WalkState.PLANNED, WalkState.WALKING)), output_field=BooleanField()
        ),
    }
    if internal:
        properties["follow_up_notes"] = only_in(internal, F("follow_up_notes"))
    if join_code:
        properties["join_code"] = only_in(join_code, F("join_code"))
    return Feature(id=F("id"), geometry=F("route"), properties=properties)


# Observations


def observation_feature(*, internal):
    """Public properties never name the reporter or the participant. `internal`: False,
    True, or the municipality ids whose observations show their internal properties."""
    properties = {
        "id": F("id"),
        "uuid": F("uuid"),
        "category": F("category__code"),
        "theme": F("category__theme__code"),
        "status": F("status"),
        "severity": F("severity"),
        "perceived_safety": F("perceived_safety"),
        "is_positive": F("is_positive"),
        "light_condition": NullIf(F("light_condition"), Value("")),
        "description": F("description"),
        "proposed_fix": F("proposed_fix"),
        "district": F("district_id"),
        "municipality": F("municipality__code"),
        "walk": F("walk_id"),
        "source": F("source"),
        "observed_at": F("observed_at"),
        "updated_at": F("updated_at"),
        "responsible_unit": F("responsible_unit__code"),
        "stretch": GeoJSONGeometry(F("stretch")),
        "address": address_label("address__"),
    }
    if internal:
        properties |= {
            "visibility": only_in(internal, F("visibility")),
            "accuracy_m": only_in(internal, F("accuracy_m")),
            "position_source": only_in(internal, F("position_source")),
            "duplicate_of": only_in(internal, F("duplicate_of_id")),
            "created_at": only_in(internal, F("created_at")),
            "moderation": only_in(internal, F("moderation")),
            "support_count": only_in(internal, F("support_count")),
        }
    return Feature(id=F("id"), geometry=F("geom"), properties=properties)


# Reference data


class ThemeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the caller's language."))

    class Meta:
        model = Theme
        fields = ["code", "name", "name_fi", "name_sv", "name_en", "order"]


class CategorySerializer(serializers.ModelSerializer):
    theme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    default_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    name = serializers.CharField(read_only=True, help_text=_("In the caller's language."))
    help_text = serializers.CharField(read_only=True, help_text=_("In the caller's language."))

    class Meta:
        model = Category
        fields = [
            "code",
            "theme",
            "name",
            "name_fi",
            "name_sv",
            "name_en",
            "help_text",
            "default_unit",
            "open311_code",
            "is_positive",
            "is_sensitive",
            "icon",
            "order",
            "active",
        ]


# Wrapped in allOf so drf-spectacular does not name the one status enum three times
# (status, from_status, to_status), which it warns about.
@extend_schema_field({"allOf": [{"type": "string", "enum": Status.values}]})
class StatusField(serializers.ChoiceField):
    """A status code: new, confirmed, assigned, in_progress, resolved, duplicate, rejected."""

    def __init__(self, **kwargs):
        super().__init__(Status.choices, **kwargs)


class StatusChangeSerializer(serializers.ModelSerializer):
    from_status = StatusField(read_only=True)
    to_status = StatusField(read_only=True)
    from_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "from_unit", "to_unit", "changed_at"]


class InternalStatusChangeSerializer(StatusChangeSerializer):
    """For staff: the note and who made the change."""

    changed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta(StatusChangeSerializer.Meta):
        fields = [*StatusChangeSerializer.Meta.fields, "note", "changed_by"]


# Writes


class JoinSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=12, help_text=_("The walk's join code."))
    display_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    group = serializers.ChoiceField(ParticipantGroup.choices)
    privacy_accepted = serializers.BooleanField(
        help_text=_("Must be true: the participant has read the privacy notice.")
    )

    def validate_code(self, value):
        return normalise_join_code(value)

    def validate_privacy_accepted(self, value):
        if value is not True:
            raise serializers.ValidationError(_("Accept the privacy notice to join the walk."))
        return value


class JoinedSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text=_("Send it as `Authorization: Participant <key>` with each request.")
    )
    walk = serializers.DictField(help_text=_("The walk, as a GeoJSON Feature."))


class TransitionSerializer(serializers.Serializer):
    status = StatusField(
        required=False,
        help_text=_(
            "The new status; without it the observation keeps its status (a note or an "
            "assignment alone)."
        ),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ResponsibleUnit.objects.all(),
        required=False,
        help_text=_("Code of the unit to assign the observation to."),
    )
    duplicate_of = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=10**18 - 1,
        help_text=_("With status duplicate (and only then): the id of the original observation."),
    )

    def validate(self, attrs):
        if "status" not in attrs and "unit" not in attrs and not attrs["note"].strip():
            raise serializers.ValidationError(
                _("Nothing to save: choose a new status or a unit, or write a note.")
            )
        duplicate = attrs.get("status") == Status.DUPLICATE
        if duplicate and "duplicate_of" not in attrs:
            raise serializers.ValidationError(
                {"duplicate_of": [_("Name the original: the id of the observation this repeats.")]}
            )
        if not duplicate and "duplicate_of" in attrs:
            raise serializers.ValidationError(
                {"duplicate_of": [_("Give this only when the status is duplicate.")]}
            )
        return attrs


# Reading an incoming observation Feature

# A crs member is not part of RFC 7946; tolerated only when it says WGS84 lon/lat.
WGS84_NAMES = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "EPSG:4326",
    "urn:ogc:def:crs:EPSG::4326",
    "http://www.opengis.net/def/crs/EPSG/0/4326",
}
# What a client may send in properties; what it may echo back from a read, ignored.
WRITABLE = {
    "uuid",
    "category",
    "severity",
    "perceived_safety",
    "is_positive",
    "light_condition",
    "description",
    "proposed_fix",
    "observed_at",
    "accuracy_m",
    "position_source",
}
STAFF_WRITABLE = {"municipality", "walk", "visibility"}
ECHOED = {
    "id",
    "theme",
    "status",
    "district",
    "updated_at",
    "created_at",
    "responsible_unit",
    "stretch",
    "duplicate_of",
}
MAX_TEXT = 5000
SURROGATE = re.compile("[\ud800-\udfff]")


def wrong_crs(obj) -> bool:
    crs = obj.get("crs") if isinstance(obj, dict) else None
    if crs is None:
        return False
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    return not (isinstance(name, str) and name.strip() in WGS84_NAMES)


CRS_MESSAGE = _(
    "Only WGS84 longitude/latitude is accepted (RFC 7946): send EPSG:4326 coordinates "
    "without another crs."
)


def _position(value):
    """[lon, lat] or [lon, lat, height] → (lon, lat), or an error message."""
    if not isinstance(value, list) or len(value) not in (2, 3):
        return None, _("A position is [longitude, latitude].")
    if not all(isinstance(n, int | float) and not isinstance(n, bool) for n in value):
        return None, _("Coordinates must be numbers.")
    lon, lat = float(value[0]), float(value[1])
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return None, _("Coordinates must be numbers.")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None, _("Longitude must be within -180…180 and latitude within -90…90.")
    return (lon, lat), None


def _metres_along(positions) -> float:
    """Length of a lon/lat line on a sphere of the Earth's mean radius (haversine): within
    half a percent of the ellipsoid, enough for a limit."""
    total = 0.0
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(positions):
        a = (
            math.sin(math.radians(lat2 - lat1) / 2) ** 2
            + math.cos(math.radians(lat1))
            * math.cos(math.radians(lat2))
            * math.sin(math.radians(lon2 - lon1) / 2) ** 2
        )
        total += 2 * 6_371_008.8 * math.asin(math.sqrt(min(a, 1.0)))
    return total


def read_geometry(geometry):
    """→ (lon, lat, stretch or None), or raise ValueError with the message."""
    if not isinstance(geometry, dict):
        raise ValueError(_("Give a GeoJSON geometry: a Point or a LineString."))
    if wrong_crs(geometry):
        raise ValueError(CRS_MESSAGE)
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        position, error = _position(coordinates)
        if error:
            raise ValueError(error)
        return position[0], position[1], None
    if kind == "LineString":
        if not isinstance(coordinates, list) or len(coordinates) < 2:
            raise ValueError(_("A LineString needs at least two positions."))
        if len(coordinates) > Observation.MAX_STRETCH_POSITIONS:
            raise ValueError(
                _("A stretch has at most %(max)d positions.")
                % {"max": Observation.MAX_STRETCH_POSITIONS}
            )
        positions = []
        for value in coordinates:
            position, error = _position(value)
            if error:
                raise ValueError(error)
            positions.append(position)
        if len(set(positions)) < 2:
            raise ValueError(_("A LineString needs at least two different positions."))
        if _metres_along(positions) > Observation.MAX_STRETCH_METRES:
            raise ValueError(
                _("A stretch is at most %(max)d m long: log a longer way as several.")
                % {"max": Observation.MAX_STRETCH_METRES}
            )
        middle = LineString(positions, srid=4326).interpolate_normalized(0.5)
        stretch = {"type": "LineString", "coordinates": [list(p) for p in positions]}
        return middle.x, middle.y, stretch
    raise ValueError(
        _("%(type)s is not allowed here: give a Point or a LineString.") % {"type": kind}
    )


def _one_to_five(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValueError(_("Give a whole number from 1 to 5."))
    return value


def _boolean(value):
    if not isinstance(value, bool):
        raise ValueError(_("Give true or false."))
    return value


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL, nor a lone UTF-16 surrogate ("\ud800", which JSON
    # can spell but UTF-8 cannot): refused here, as DRF's own CharField does.
    if "\x00" in value:
        raise ValueError(_("Null characters are not allowed."))
    if not value.isascii() and SURROGATE.search(value):
        raise ValueError(_("Surrogate characters are not allowed."))
    return value


def _text(value):
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(_("Give text."))
    _no_nul(value)
    if len(value) > MAX_TEXT:
        raise ValueError(_("At most %(max)d characters.") % {"max": MAX_TEXT})
    return value


def _choice(choices):
    def read(value):
        if value in (None, "") and "" in choices:
            return ""
        if value not in choices:
            raise ValueError(_("Give one of: %(choices)s.") % {"choices": ", ".join(choices)})
        return value

    return read


def _datetime(value):
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well formed, but no such day or hour
        parsed = None
    if parsed is None:
        raise ValueError(_("Give a date and time in ISO 8601, e.g. 2026-11-20T18:30:00+02:00."))
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    if not observed_at_in_range(parsed):
        raise ValueError(
            _("Give a time from 2000 onwards and at most a day from now; check the phone's clock.")
        )
    return parsed


def _accuracy(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ValueError(_("Give a number of metres, 0 or more."))
    if not math.isfinite(value):
        raise ValueError(_("Give a number of metres, 0 or more."))
    return float(value)


def _code(value):
    if not isinstance(value, str) or not value:
        raise ValueError(_("Give a code."))
    return _no_nul(value)


def _walk_id(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(_("Give a walk id."))
    return value


READERS = {
    "severity": _one_to_five,
    "perceived_safety": _one_to_five,
    "is_positive": _boolean,
    "light_condition": _choice(["", *LightCondition.values]),
    "description": _text,
    "proposed_fix": _text,
    "observed_at": _datetime,
    "accuracy_m": _accuracy,
    "position_source": _choice(PositionSource.values),
    "municipality": _code,
    "walk": _walk_id,
    "visibility": _choice(Visibility.values),
}
# Properties stored on the observation just as they were read (a PATCH copies them over).
STORED_AS_READ = [name for name in READERS if name not in ("municipality", "walk")]


def read_uuid(feature, properties):
    given = [v for v in (properties.get("uuid"), feature.get("id")) if v is not None]
    if not given:
        raise ValueError(
            _("Give the observation's own UUID, in properties.uuid or as the feature id.")
        )
    parsed = set()
    for value in given:
        try:
            parsed.add(uuid.UUID(value))
        except (TypeError, ValueError, AttributeError):
            raise ValueError(_("Not a valid UUID.")) from None
    if len(parsed) > 1:
        raise ValueError(_("properties.uuid and the feature id differ."))
    return parsed.pop()


def read_observation(feature, *, categories: dict, partial=False, staff=False):
    """An incoming GeoJSON Feature → (values, errors); errors map a field to messages.

    `categories` maps active category codes to categories. With `partial` (PATCH) only
    what is present is read and nothing is required. `staff` may also set municipality,
    walk and visibility.
    """
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return {}, {"type": [_("Each observation must be a GeoJSON Feature.")]}
    errors, values = {}, {}
    if wrong_crs(feature):
        errors["crs"] = [CRS_MESSAGE]
    if "geometry" in feature or not partial:
        try:
            values["lon"], values["lat"], values["stretch"] = read_geometry(feature.get("geometry"))
        except ValueError as error:
            errors["geometry"] = [str(error.args[0])]
    properties = feature.get("properties")
    if properties is None:
        properties = {}
    if not isinstance(properties, dict):
        errors["properties"] = [_("properties must be an object.")]
        return values, errors
    writable = WRITABLE | STAFF_WRITABLE if staff else WRITABLE
    for name in properties:
        if name not in writable and name not in ECHOED:
            errors[name] = [_("Unknown property, or one you may not set.")]
    if partial:
        if "uuid" in properties:
            errors["uuid"] = [_("The UUID of an observation cannot change.")]
    else:
        try:
            values["uuid"] = read_uuid(feature, properties)
        except ValueError as error:
            errors["uuid"] = [str(error.args[0])]
    if "category" in properties or not partial:
        code = properties.get("category")
        if code is None:
            errors["category"] = [_("This field is required.")]
        elif not isinstance(code, str) or code not in categories:
            errors["category"] = [
                _("Unknown or inactive category: %(code)s.") % {"code": str(code)[:40]}
            ]
        else:
            values["category"] = categories[code]
    for name, reader in READERS.items():
        if name in properties and name in writable:
            try:
                values[name] = reader(properties[name])
            except ValueError as error:
                errors[name] = [str(error.args[0])]
    return values, errors
