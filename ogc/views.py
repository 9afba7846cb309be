# SPDX-License-Identifier: EUPL-1.2
"""OGC API – Features at /ogc/: Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0) and Part 2 (CRS).

/ogc/                                     landing page
/ogc/conformance                          the conformance classes implemented
/ogc/api                                  the OpenAPI 3.0 document (f=html: a readable page)
/ogc/collections                          the collections the caller may read
/ogc/collections/<id>                     one collection: extent, CRSs, links
/ogc/collections/<id>/queryables          the property filters of its items
/ogc/collections/<id>/items               a page of features (GeoJSON or HTML)
/ogc/collections/<id>/items/<featureId>   one feature

JSON or HTML by `f=json|html`, else by the Accept header. Who sees what is the REST API's
rule (api.permissions), with the same credentials (session, token, participant key).
Metadata resources take `f`, and `crs`/`bbox-crs` (checked, not used): GDAL before 3.7
sends the query of its connection string with every request.
"""

import json

from django.contrib.gis.db.models import Extent
from django.db.models import Max, Min
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView, exception_handler

from api.geojson import GEOJSON, single_feature
from api.permissions import ReadOnly
from ogc import openapi
from ogc.collections import COLLECTIONS, in_crs, readable_collections
from ogc.crs import STORAGE_CRS, SUPPORTED, content_crs_header
from ogc.features import feature_page
from ogc.params import read_crs, read_format, read_items_query, single_values

JSON = "application/json"
HTML = "text/html"
SCHEMA_JSON = "application/schema+json"

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
METADATA_PARAMETERS = ("f", "crs", "bbox-crs")
# OGC exception codes (as in OGC API – Common) by HTTP status.
CODES = {400: "InvalidParameterValue", 404: "NotFound"}


class AnyAccept(BaseContentNegotiation):
    """Views here answer with HttpResponses of their own choosing; DRF's renderer only
    writes errors, as JSON, whatever the client accepts."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def ogc_exception_handler(exc, context):
    """Errors as OGC exceptions (code, description) that also read as RFC 9457 problems,
    with `errors` naming each bad parameter."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(detail, dict) and "detail" not in detail:
        description = " ".join(
            f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in detail.items()
        )
        body = {"errors": detail}
    else:
        description = str(detail.get("detail", detail) if isinstance(detail, dict) else detail)
        body = {}
    code = CODES.get(response.status_code, getattr(exc, "default_code", "error"))
    response.data = {
        "code": code,
        "description": description,
        "title": description,
        "status": response.status_code,
        "detail": description,
        **body,
    }
    return response


class OGCView(APIView):
    # Not in the REST API's OpenAPI document: /ogc/api is this API's own.
    schema = None
    permission_classes = [ReadOnly]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = AnyAccept

    def get_exception_handler(self):
        return ogc_exception_handler


def wants_html(request, fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "html"
    preferred = request._request.get_preferred_type([JSON, GEOJSON, HTML])
    return preferred == HTML


def url(request, path: str, *, keep_query: bool = False, **query) -> str:
    """An absolute link to `path` with `query`, added to the request's own if `keep_query`."""
    params = request.query_params.copy() if keep_query else QueryDict(mutable=True)
    for name, value in query.items():
        params[name] = str(value)
    encoded = params.urlencode()
    return request.build_absolute_uri(path) + (f"?{encoded}" if encoded else "")


def link(href: str, rel: str, media_type: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": media_type, "title": title}


def self_links(request, path: str, json_type: str = JSON) -> list[dict]:
    return [
        link(url(request, path, f="json"), "self", json_type, _("This document as JSON")),
        link(url(request, path, f="html"), "alternate", HTML, _("This document as HTML")),
    ]


def json_response(data, media_type: str = JSON, **headers) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, default=str), content_type=media_type
    )
    for name, value in headers.items():
        response[name] = value
    return response


def read_metadata_query(request) -> str | None:
    values = single_values(request, METADATA_PARAMETERS)
    read_crs(values, "crs")
    read_crs(values, "bbox-crs")
    return read_format(values)


def page(request, template: str, title: str, data: dict, **context) -> HttpResponse:
    return render(
        request,
        f"ogc/{template}.html",
        {"title": title, "data": data, "links": data.get("links", []), **context},
    )


class LandingPage(OGCView):
    def get(self, request):
        fmt = read_metadata_query(request)
        data = {
            "title": _("Lyhty: safety walks and observations"),
            "description": _(
                "Observations, safety walks, recorded tracks, districts and municipalities "
                "as OGC API – Features, for QGIS, ArcGIS, GDAL and other GIS."
            ),
            "links": [
                *self_links(request, "/ogc/"),
                link(
                    url(request, "/ogc/api"),
                    "service-desc",
                    openapi.MEDIA_TYPE,
                    _("The API definition (OpenAPI 3.0)"),
                ),
                link(
                    url(request, "/ogc/api", f="html"),
                    "service-doc",
                    HTML,
                    _("The API documentation"),
                ),
                link(
                    url(request, "/ogc/conformance"),
                    "conformance",
                    JSON,
                    _("The conformance classes implemented"),
                ),
                link(
                    url(request, "/ogc/conformance"),
                    "http://www.opengis.net/def/rel/ogc/1.0/conformance",
                    JSON,
                    _("The conformance classes implemented"),
                ),
                link(url(request, "/ogc/collections"), "data", JSON, _("The collections")),
                link(
                    url(request, "/ogc/collections"),
                    "http://www.opengis.net/def/rel/ogc/1.0/data",
                    JSON,
                    _("The collections"),
                ),
            ],
        }
        if wants_html(request, fmt):
            return page(request, "landing", data["title"], data)
        return json_response(data)


class Conformance(OGCView):
    def get(self, request):
        fmt = read_metadata_query(request)
        data = {"conformsTo": CONFORMANCE, "links": self_links(request, "/ogc/conformance")}
        if wants_html(request, fmt):
            return page(request, "conformance", _("Conformance classes"), data)
        return json_response(data)


class APIDefinition(OGCView):
    def get(self, request):
        fmt = read_metadata_query(request)
        document = openapi.document(request, readable_collections(request))
        if wants_html(request, fmt):
            return page(request, "api", _("The API definition"), {"links": []}, api=document)
        return json_response(document, openapi.MEDIA_TYPE)


def collection_or_404(request, collection_id: str):
    collection = COLLECTIONS.get(collection_id)
    if collection is None or not collection.readable(request):
        raise Http404
    return collection


def _iso(moment) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def describe(request, collection) -> dict:
    """A collection's metadata: extent (CRS84), CRSs (Part 2) and links."""
    path = f"/ogc/collections/{collection.id}"
    aggregates = {"extent": Extent(collection.geometry)}
    if collection.time:
        aggregates |= {"start": Min(collection.time[0]), "end": Max(collection.time[-1])}
    found = collection.rows(request).order_by().aggregate(**aggregates)
    extent = {"spatial": {"bbox": [list(found["extent"] or (-180, -90, 180, 90))]}}
    extent["spatial"]["crs"] = STORAGE_CRS.uri
    if collection.time:
        extent["temporal"] = {
            "interval": [[_iso(found["start"]), _iso(found["end"])]],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        }
    return {
        "id": collection.id,
        "title": str(collection.title),
        "description": str(collection.description),
        "itemType": "feature",
        "crs": list(SUPPORTED),
        "storageCrs": STORAGE_CRS.uri,
        "extent": extent,
        "links": [
            *self_links(request, path),
            link(url(request, f"{path}/items"), "items", GEOJSON, _("The features as GeoJSON")),
            link(
                url(request, f"{path}/items", f="html"),
                "items",
                HTML,
                _("The features as HTML"),
            ),
            link(
                url(request, f"{path}/queryables"),
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                SCHEMA_JSON,
                _("The properties the features can be filtered by"),
            ),
        ],
    }


class Collections(OGCView):
    def get(self, request):
        fmt = read_metadata_query(request)
        data = {
            "links": self_links(request, "/ogc/collections"),
            "collections": [describe(request, c) for c in readable_collections(request)],
        }
        if wants_html(request, fmt):
            return page(request, "collections", _("Collections"), data)
        return json_response(data)


class CollectionView(OGCView):
    def get(self, request, collection_id):
        collection = collection_or_404(request, collection_id)
        fmt = read_metadata_query(request)
        data = describe(request, collection)
        if wants_html(request, fmt):
            return page(request, "collection", data["title"], data)
        return json_response(data)


class Queryables(OGCView):
    def get(self, request, collection_id):
        collection = collection_or_404(request, collection_id)
        fmt = read_metadata_query(request)
        path = f"/ogc/collections/{collection.id}/queryables"
        data = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": url(request, path),
            "type": "object",
            "title": str(collection.title),
            "properties": collection.queryables,
            "additionalProperties": False,
        }
        if wants_html(request, fmt):
            return page(request, "queryables", str(collection.title), data, collection=collection)
        return json_response(data, SCHEMA_JSON)


class Items(OGCView):
    def get(self, request, collection_id):
        collection = collection_or_404(request, collection_id)
        query = read_items_query(request, collection.queryables)
        rows = collection.narrow(collection.rows(request), query.properties)
        if query.area is not None:
            rows = rows.filter(**{f"{collection.geometry}__intersects": query.area})
        if query.period is not None:
            rows = collection.in_period(rows, query.period)
        feature = in_crs(collection.feature(request), collection.geometry, query.crs)
        found = feature_page(rows.order_by("id"), feature, limit=query.limit, offset=query.offset)
        path = f"/ogc/collections/{collection.id}/items"
        links = [
            link(url(request, path, keep_query=True, f="json"), "self", GEOJSON, _("This page")),
            link(
                url(request, path, keep_query=True, f="html"),
                "alternate",
                HTML,
                _("This page as HTML"),
            ),
            link(
                url(request, f"/ogc/collections/{collection.id}"),
                "collection",
                JSON,
                str(collection.title),
            ),
        ]
        if query.offset + found.returned < found.matched:
            after = url(request, path, keep_query=True, offset=query.offset + query.limit)
            links.append(link(after, "next", GEOJSON, _("The next page")))
        if query.offset > 0:
            before = url(request, path, keep_query=True, offset=max(0, query.offset - query.limit))
            links.append(link(before, "prev", GEOJSON, _("The previous page")))
        headers = {"Content-Crs": content_crs_header(query.crs)}
        if wants_html(request, query.fmt):
            data = {"links": links, "numberMatched": found.matched}
            response = page(
                request,
                "items",
                str(collection.title),
                data,
                collection=collection,
                features=json.loads(found.features),
                found=found,
                query=query,
            )
            response["Content-Crs"] = headers["Content-Crs"]
            return response
        head = {
            "type": "FeatureCollection",
            "numberMatched": found.matched,
            "numberReturned": found.returned,
            "timeStamp": timezone.now().isoformat(timespec="seconds"),
            "links": links,
        }
        if found.estimated:
            head["numberMatchedEstimated"] = True
        text = json.dumps(head, ensure_ascii=False)[:-1] + ', "features": ' + found.features + "}"
        response = HttpResponse(text, content_type=GEOJSON)
        response["Content-Crs"] = headers["Content-Crs"]
        return response


class Item(OGCView):
    def get(self, request, collection_id, feature_id):
        collection = collection_or_404(request, collection_id)
        values = single_values(request, ("f", "crs"))
        fmt = read_format(values)
        crs = read_crs(values, "crs")
        if not feature_id.isdigit() or len(feature_id) > 18:
            raise Http404
        rows = collection.rows(request).filter(pk=int(feature_id))
        feature = in_crs(collection.feature(request), collection.geometry, crs)
        content = single_feature(rows, feature)
        if content is None:
            raise Http404
        data = json.loads(content)
        path = f"/ogc/collections/{collection.id}/items/{feature_id}"
        data["links"] = [
            link(url(request, path, keep_query=True, f="json"), "self", GEOJSON, _("This feature")),
            link(
                url(request, path, keep_query=True, f="html"),
                "alternate",
                HTML,
                _("This feature as HTML"),
            ),
            link(
                url(request, f"/ogc/collections/{collection.id}"),
                "collection",
                JSON,
                str(collection.title),
            ),
        ]
        if wants_html(request, fmt):
            response = page(
                request, "item", f"{collection.title} {feature_id}", data, collection=collection
            )
        else:
            response = json_response(data, GEOJSON)
        response["Content-Crs"] = content_crs_header(crs)
        return response
