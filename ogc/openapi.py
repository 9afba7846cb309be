# SPDX-License-Identifier: EUPL-1.2
"""The OpenAPI 3.0 document of /ogc/ (conformance class oas30), built per request: it
lists the collections the caller may read, each with its own items path and queryables,
so GDAL and QGIS find the `limit` maximum and the property filters where they look."""

from django.utils.translation import gettext as _

from ogc.crs import CRS84_URI, SUPPORTED
from ogc.params import DEFAULT_LIMIT, MAX_LIMIT

MEDIA_TYPE = "application/vnd.oai.openapi+json;version=3.0"

_LINKS = {"type": "array", "items": {"$ref": "#/components/schemas/link"}}


def _json(schema: dict, media_type: str = "application/json") -> dict:
    html = {"schema": {"type": "string"}}
    return {"content": {media_type: {"schema": schema}, "text/html": html}}


def _ok(description: str, schema: dict, media_type: str = "application/json") -> dict:
    return {"description": description, **_json(schema, media_type)}


def _parameters() -> dict:
    crs_schema = {"type": "string", "format": "uri", "enum": list(SUPPORTED)}
    return {
        "f": {
            "name": "f",
            "in": "query",
            "description": _("The format of the answer: json or html (else the Accept header)."),
            "schema": {"type": "string", "enum": ["json", "html"]},
        },
        "limit": {
            "name": "limit",
            "in": "query",
            "description": _("Features per page; larger values are lowered to the maximum."),
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_LIMIT,
                "default": DEFAULT_LIMIT,
            },
            "style": "form",
            "explode": False,
        },
        "offset": {
            "name": "offset",
            "in": "query",
            "description": _("Features to skip; the next links carry it."),
            "schema": {"type": "integer", "minimum": 0, "default": 0},
        },
        "bbox": {
            "name": "bbox",
            "in": "query",
            "description": _(
                "Features whose geometry intersects the box: lower corner, upper corner, in "
                "CRS84 (longitude, latitude) unless bbox-crs says otherwise."
            ),
            "schema": {
                "type": "array",
                "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
                "items": {"type": "number"},
            },
            "style": "form",
            "explode": False,
        },
        "bbox-crs": {
            "name": "bbox-crs",
            "in": "query",
            "description": _("The coordinate system of bbox, as a URI."),
            "schema": {**crs_schema, "default": CRS84_URI},
        },
        "crs": {
            "name": "crs",
            "in": "query",
            "description": _("The coordinate system of the answer, as a URI."),
            "schema": {**crs_schema, "default": CRS84_URI},
        },
        "datetime": {
            "name": "datetime",
            "in": "query",
            "description": _(
                "An RFC 3339 date-time or interval (start/end, ../end, start/..): features "
                "whose time intersects it."
            ),
            "schema": {"type": "string"},
        },
        "featureId": {
            "name": "featureId",
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
        },
    }


def _schemas() -> dict:
    return {
        "link": {
            "type": "object",
            "required": ["href", "rel"],
            "properties": {
                "href": {"type": "string"},
                "rel": {"type": "string"},
                "type": {"type": "string"},
                "title": {"type": "string"},
            },
        },
        "landingPage": {
            "type": "object",
            "required": ["links"],
            "properties": {
                "title": {"type": "string"},
                "description": {"type": "string"},
                "links": _LINKS,
            },
        },
        "confClasses": {
            "type": "object",
            "required": ["conformsTo"],
            "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
        },
        "collection": {
            "type": "object",
            "required": ["id", "links"],
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "description": {"type": "string"},
                "links": _LINKS,
                "extent": {"type": "object"},
                "itemType": {"type": "string"},
                "crs": {"type": "array", "items": {"type": "string"}},
                "storageCrs": {"type": "string"},
            },
        },
        "collections": {
            "type": "object",
            "required": ["links", "collections"],
            "properties": {
                "links": _LINKS,
                "collections": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/collection"},
                },
            },
        },
        "featureGeoJSON": {
            "type": "object",
            "required": ["type", "geometry", "properties"],
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": {"type": "integer"},
                "geometry": {"type": "object", "nullable": True},
                "properties": {"type": "object", "nullable": True},
                "links": _LINKS,
            },
        },
        "featureCollectionGeoJSON": {
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/featureGeoJSON"},
                },
                "links": _LINKS,
                "timeStamp": {"type": "string", "format": "date-time"},
                "numberMatched": {"type": "integer", "minimum": 0},
                "numberMatchedEstimated": {
                    "type": "boolean",
                    "description": _("True when numberMatched is the planner's estimate."),
                },
                "numberReturned": {"type": "integer", "minimum": 0},
            },
        },
        "exception": {
            "type": "object",
            "required": ["code"],
            "properties": {
                "code": {"type": "string"},
                "description": {"type": "string"},
                "errors": {"type": "object"},
            },
        },
    }


def _get(summary: str, responses: dict, parameters=(), operation_id: str = "") -> dict:
    operation = {
        "summary": summary,
        "operationId": operation_id,
        "parameters": [{"$ref": f"#/components/parameters/{name}"} for name in ("f", *parameters)],
        "responses": {
            **responses,
            "400": {"$ref": "#/components/responses/InvalidParameter"},
            "404": {"$ref": "#/components/responses/NotFound"},
        },
    }
    return {"get": operation}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def document(request, collections) -> dict:
    paths = {
        "/": _get(_("Landing page"), {"200": _ok(_("Links"), _ref("landingPage"))}, (), "landing"),
        "/conformance": _get(
            _("Conformance classes"),
            {"200": _ok(_("The classes"), _ref("confClasses"))},
            (),
            "conformance",
        ),
        "/api": _get(
            _("This document"),
            {"200": _ok(_("OpenAPI 3.0"), {"type": "object"}, MEDIA_TYPE)},
            (),
            "api",
        ),
        "/collections": _get(
            _("The collections"),
            {"200": _ok(_("The collections"), _ref("collections"))},
            (),
            "collections",
        ),
    }
    for collection in collections:
        base = f"/collections/{collection.id}"
        filters = [
            {
                "name": name,
                "in": "query",
                "description": _("Property filter (see queryables); several values with commas."),
                "schema": schema,
            }
            for name, schema in collection.queryables.items()
        ]
        paths[base] = _get(
            str(collection.title),
            {"200": _ok(_("The collection"), _ref("collection"))},
            (),
            f"describe_{collection.id}",
        )
        paths[f"{base}/queryables"] = _get(
            _("Queryables of %(title)s") % {"title": collection.title},
            {"200": _ok(_("A JSON Schema"), {"type": "object"}, "application/schema+json")},
            (),
            f"queryables_{collection.id}",
        )
        items = _get(
            _("Features of %(title)s") % {"title": collection.title},
            {
                "200": _ok(
                    _("A page of features"),
                    _ref("featureCollectionGeoJSON"),
                    "application/geo+json",
                )
            },
            ("limit", "offset", "bbox", "bbox-crs", "crs", "datetime"),
            f"items_{collection.id}",
        )
        items["get"]["parameters"] += filters
        paths[f"{base}/items"] = items
        paths[f"{base}/items/{{featureId}}"] = _get(
            _("One feature of %(title)s") % {"title": collection.title},
            {"200": _ok(_("A feature"), _ref("featureGeoJSON"), "application/geo+json")},
            ("featureId", "crs"),
            f"item_{collection.id}",
        )
    error = {"content": {"application/json": {"schema": _ref("exception")}}}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": _("Lyhty OGC API – Features"),
            "version": "1.0",
            "description": _(
                "Observations, safety walks, recorded tracks, districts and municipalities. "
                "Who sees what follows the REST API's roles."
            ),
            "license": {"name": "EUPL-1.2"},
        },
        "servers": [{"url": request.build_absolute_uri("/ogc")}],
        "paths": paths,
        "components": {
            "parameters": _parameters(),
            "schemas": _schemas(),
            "responses": {
                "InvalidParameter": {"description": _("A bad query parameter"), **error},
                "NotFound": {"description": _("No such resource"), **error},
            },
        },
    }
