# SPDX-License-Identifier: EUPL-1.2
"""What every API view shares: renderers, parsers, paging links, error schemas."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from api.geojson import GEOJSON, GeoJSONParser, GeoJSONRenderer


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
