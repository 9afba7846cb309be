# SPDX-License-Identifier: EUPL-1.2
"""OpenAPI descriptions of what the API speaks that no serializer describes: the GeoJSON
resources, incoming observations, bulk answers, history, photo uploads and export files;
and the schema class that says which operations anyone may call."""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from api.geojson import collection_schema, feature_schema
from api.serializers import MAX_TEXT
from walks.models import (
    LightCondition,
    Moderation,
    Observation,
    ParticipantGroup,
    PositionSource,
    Source,
    Status,
    Visibility,
    WalkState,
)
from walks.photos import MAX_PIXELS, MAX_PIXELS_DECODED_WHOLE

_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": "string", "nullable": True}
_INTEGER = {"type": "integer"}
_NULLABLE_INTEGER = {"type": "integer", "nullable": True}
_DATETIME = {"type": "string", "format": "date-time"}

MUNICIPALITY_FEATURE = feature_schema(
    {
        "code": _STRING,
        "name": _STRING,
        "name_fi": _STRING,
        "name_sv": _STRING,
        "name_en": _STRING,
        "country": {"type": "string", "enum": ["FI", "SE"]},
        "national_srid": _INTEGER,
    },
    "MultiPolygon",
)
DISTRICT_FEATURE = feature_schema(
    {
        "id": _INTEGER,
        "code": _STRING,
        "name": _STRING,
        "name_fi": _STRING,
        "name_sv": _STRING,
        "population": _NULLABLE_INTEGER,
        "municipality": _STRING,
    },
    "MultiPolygon",
)
WALK_FEATURE = feature_schema(
    {
        "id": _INTEGER,
        "title": _STRING,
        "municipality": _STRING,
        "districts": {"type": "array", "items": _INTEGER, "nullable": True},
        "starts_at": _DATETIME,
        "ends_at": _DATETIME,
        "theme": _NULLABLE_STRING,
        "group": {"type": "string", "enum": ParticipantGroup.values},
        "state": {"type": "string", "enum": WalkState.values},
        "is_open": {"type": "boolean"},
        "follow_up_notes": {**_STRING, "description": "Staff, planners and administrators."},
        "join_code": {**_STRING, "description": "Planners and administrators only."},
    },
    "LineString",
    nullable_geometry=True,
)
OBSERVATION_FEATURE = feature_schema(
    {
        "id": _INTEGER,
        "uuid": {"type": "string", "format": "uuid"},
        "category": _STRING,
        "theme": _STRING,
        "status": {"type": "string", "enum": Status.values},
        "severity": {**_NULLABLE_INTEGER, "minimum": 1, "maximum": 5},
        "perceived_safety": {**_NULLABLE_INTEGER, "minimum": 1, "maximum": 5},
        "is_positive": {"type": "boolean"},
        "light_condition": {
            "type": "string",
            "enum": [*LightCondition.values, None],
            "nullable": True,
        },
        "description": _STRING,
        "proposed_fix": _STRING,
        "district": _NULLABLE_INTEGER,
        "municipality": _STRING,
        "walk": _NULLABLE_INTEGER,
        "source": {"type": "string", "enum": Source.values},
        "observed_at": _DATETIME,
        "updated_at": _DATETIME,
        "responsible_unit": _NULLABLE_STRING,
        "stretch": {
            "type": "object",
            "nullable": True,
            "description": "For a problem along a way: the LineString; geometry is its middle.",
        },
        "address": {
            "type": "string",
            "nullable": True,
            "description": "The nearest address within ADDRESS_MAX_DISTANCE_M (150 m unless "
            "configured), in the reader's language, e.g. 'Mannerheimintie 12, 00100'; null "
            "when none is that close or the municipality has no addresses imported.",
        },
        "visibility": {
            "type": "string",
            "enum": Visibility.values,
            "description": "Staff, planners and administrators only (so are the rest).",
        },
        "accuracy_m": {"type": "number", "nullable": True},
        "position_source": {"type": "string", "enum": PositionSource.values},
        "duplicate_of": _NULLABLE_INTEGER,
        "created_at": _DATETIME,
        "moderation": {"type": "string", "enum": Moderation.values},
        "support_count": {"type": "integer", "description": "Residents who said it is the same."},
    },
    "Point",
)
MUNICIPALITY_COLLECTION = collection_schema(MUNICIPALITY_FEATURE)
DISTRICT_COLLECTION = collection_schema(DISTRICT_FEATURE)
WALK_COLLECTION = collection_schema(WALK_FEATURE)
OBSERVATION_COLLECTION = collection_schema(OBSERVATION_FEATURE)

_INCOMING_PROPERTIES = {
    "uuid": {"type": "string", "format": "uuid", "description": "Made by the client."},
    "category": {"type": "string", "description": "An active category code."},
    "severity": {**_NULLABLE_INTEGER, "minimum": 1, "maximum": 5},
    "perceived_safety": {**_NULLABLE_INTEGER, "minimum": 1, "maximum": 5},
    "is_positive": {"type": "boolean"},
    "light_condition": {"type": "string", "enum": ["", *LightCondition.values]},
    "description": {"type": "string", "maxLength": MAX_TEXT},
    "proposed_fix": {"type": "string", "maxLength": MAX_TEXT},
    "observed_at": {
        **_DATETIME,
        "description": "Device time: from 2000-01-01 to at most a day from now.",
    },
    "accuracy_m": {"type": "number", "minimum": 0, "nullable": True},
    "position_source": {"type": "string", "enum": PositionSource.values},
    "municipality": {"type": "string", "description": "Staff only; else from walk or point."},
    "walk": {"type": "integer", "description": "Staff only; a participant's is their walk."},
    "visibility": {"type": "string", "enum": Visibility.values, "description": "Staff only."},
}
INCOMING_FEATURE = {
    "type": "object",
    "description": "A Point, or a LineString stored as a stretch with its middle as the point "
    f"(at most {Observation.MAX_STRETCH_POSITIONS} positions and "
    f"{Observation.MAX_STRETCH_METRES:,} m).",
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string", "format": "uuid", "description": "Or properties.uuid."},
        "geometry": {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": ["Point", "LineString"]},
                "coordinates": {"type": "array", "items": {}},
            },
            "required": ["type", "coordinates"],
        },
        "properties": {"type": "object", "properties": _INCOMING_PROPERTIES},
    },
    "required": ["type", "geometry", "properties"],
}
INCOMING = {
    "oneOf": [
        INCOMING_FEATURE,
        {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {"type": "array", "items": INCOMING_FEATURE, "maxItems": 500},
            },
            "required": ["type", "features"],
        },
    ]
}
PATCH_FEATURE = {
    **INCOMING_FEATURE,
    "description": "Only what changes: geometry and/or some properties.",
    "required": ["type"],
}
BULK_RESULT = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "uuid": {"type": "string", "nullable": True},
            "result": {"type": "string", "enum": ["created", "exists", "rejected"]},
            "id": _NULLABLE_INTEGER,
            "errors": {"type": "object", "additionalProperties": {"type": "array"}},
        },
        "required": ["uuid", "result", "id", "errors"],
    },
}

# One answer for every role: the note and who made the change only for staff, planners and
# administrators; a unit or the person may be gone (null).
HISTORY = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "from_status": {"type": "string", "enum": Status.values},
            "to_status": {"type": "string", "enum": Status.values},
            "from_unit": {**_NULLABLE_STRING, "description": "Unit code."},
            "to_unit": {**_NULLABLE_STRING, "description": "Unit code."},
            "changed_at": _DATETIME,
            "note": {**_STRING, "description": "Staff, planners and administrators only."},
            "changed_by": {
                **_NULLABLE_STRING,
                "description": "User name; staff, planners and administrators only.",
            },
        },
        "required": ["from_status", "to_status", "from_unit", "to_unit", "changed_at"],
    },
}


# Errors and path parameters shared by the views

ERRORS = {
    "type": "object",
    "description": "Field name (or query parameter, or `detail`) → messages, in the "
    "caller's language (Accept-Language: fi, sv, en).",
    "additionalProperties": {},
}


def errors(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ERRORS, description=description)


BAD_REQUEST = errors("Bad input: the fields that are wrong, each with its messages.")
NOT_FOUND = errors("No such resource, or not one the caller may read.")
FORBIDDEN = errors("The caller's role does not allow this.")

# The URL's id converter takes 1 to 18 digits (api.urls); say so, so clients and fuzzers know.
ID = OpenApiParameter(
    "id", {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}, OpenApiParameter.PATH
)


# Photos

PHOTO_UPLOAD = {
    "multipart/form-data": {
        "type": "object",
        "properties": {
            "photo": {
                "type": "string",
                "format": "binary",
                "description": "A JPEG, PNG or WebP image (HEIC where supported), at most "
                f"PHOTO_MAX_BYTES and {MAX_PIXELS // 1_000_000} megapixels for a JPEG, "
                f"{MAX_PIXELS_DECODED_WHOLE // 1_000_000} for the others; it is stored "
                "re-encoded, without EXIF or GPS.",
            }
        },
        "required": ["photo"],
    }
}


# Exports

BINARY = {"type": "string", "format": "binary"}
GEOJSON_FILE = {
    "type": "object",
    "description": "An RFC 7946 FeatureCollection named after the layer; the properties are "
    "the export's columns (not the API's own Feature properties).",
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "name": {"type": "string"},
        "features": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["type", "features"],
}
EXPORT_REFUSED = OpenApiResponse(
    response={
        "type": "object",
        "properties": {
            "detail": {"type": "string"},
            "parameter": {
                "type": "string",
                "nullable": True,
                "description": "The query parameter at fault, if one.",
            },
        },
        "required": ["detail"],
    },
    description="A parameter is wrong, unknown, repeated or not for this layer and format.",
)


def document_refused_credentials(result, generator, request, public):
    """Every operation answers 403 to credentials that are given but not valid (a
    malformed Authorization header, an unknown token or participant key), even one that
    anyone may call without credentials: say so in each (SPECTACULAR_SETTINGS hook)."""
    refused = {
        "description": "Credentials were given but are not valid, or the caller's role "
        "does not allow this.",
        "content": {"application/json": {"schema": ERRORS}},
    }
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("403", refused)
    return result


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, told which operations anyone may call without credentials: those
    whose every permission lists the method in its `anonymous_methods` (api.permissions).
    OpenAPI says so with an empty security requirement, `{}`, beside the schemes."""

    def get_auth(self):
        auths = super().get_auth()
        permissions = self.view.get_permissions()
        anyone = permissions and all(
            self.method in getattr(permission, "anonymous_methods", ())
            for permission in permissions
        )
        if anyone and {} not in auths:
            auths.append({})
        return auths
