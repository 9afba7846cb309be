# SPDX-License-Identifier: EUPL-1.2
"""What every API view shares: renderers, parsers, paging links."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.views import APIView

from api.geojson import GEOJSON, GeoJSONParser, GeoJSONRenderer, feature_collection, single_feature
from api.parsers import JSONParser
from api.renderers import JSONRenderer


class LyhtyView(APIView):
    renderer_classes = [JSONRenderer, GeoJSONRenderer]
    parser_classes = [JSONParser, GeoJSONParser]


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request is too large.")
    default_code = "too_large"


def refuse_oversized_body(request):
    """Django applies DATA_UPLOAD_MAX_MEMORY_SIZE to request.body; DRF reads the stream."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if limit is not None and length > limit:
        raise PayloadTooLarge(
            _("The request body is %(size)d bytes; the limit is %(limit)d.")
            % {"size": length, "limit": limit}
        )


def geojson_response(content: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(content, content_type=GEOJSON, status=status)


def page_links(request, query: dict) -> tuple[str, str | None]:
    """The next page's link (used only if there is one) and the previous page's."""
    limit, offset = query["limit"], query["offset"]
    base = request.build_absolute_uri(request.path)

    def link(new_offset):
        params = request.query_params.copy()
        params["limit"] = str(limit)
        params["offset"] = str(new_offset)
        return f"{base}?{params.urlencode()}"

    previous = link(max(0, offset - limit)) if offset > 0 else None
    return link(offset + limit), previous


def paged_features(request, query: dict, rows, feature, total: int | None = None) -> HttpResponse:
    """One page of `rows` as a FeatureCollection, with links to its neighbours; `total`,
    when known, is their count."""
    next_url, previous_url = page_links(request, query)
    return geojson_response(
        feature_collection(
            rows,
            feature,
            limit=query["limit"],
            offset=query["offset"],
            next_url=next_url,
            previous_url=previous_url,
            total=total,
        )
    )


def feature_or_404(rows, feature) -> HttpResponse:
    """The one row as a Feature, or a 404 when there is none."""
    content = single_feature(rows, feature)
    if content is None:
        raise Http404
    return geojson_response(content)
