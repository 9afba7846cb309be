# SPDX-License-Identifier: EUPL-1.2
"""`/api/v1/exports/<layer>.<format>`: observations, walks and districts as files for planners.

Layers: observations, stretches (the observations drawn as lines, as those lines), walks,
districts, and `all` (the four in one GeoPackage).
Formats: geojson, gpkg, csv, kml, shp.zip (see analysis.exports.EXPORTERS).

Query parameters, each at most once (lists comma-separated):
  crs           EPSG:4326, EPSG:3067, EPSG:3006 or EPSG:3857. gpkg and shp.zip default to
                the national CRS of the `municipality` filter (EPSG:4326 without one); the
                others to EPSG:4326. geojson (RFC 7946) and kml are EPSG:4326 only: any other
                crs is refused with 400, ask for gpkg, shp.zip or csv instead.
  lang          fi, sv or en: the language of category, theme, status and district names
                (default: the Accept-Language header). Column names are always the same.
  filters       every filter of the observation list (walks.filters), read the same way:
                 bbox, municipality, district, category, theme, status, walk,
                 severity_min/severity_max, observed_after/observed_before (ISO date or
                 date-time, local time unless it says, e.g. 2026-11-23T18:00Z; the end is
                 exclusive), light, positive, unit, updated_since.
                 Each filter applies to the layers it means something for (observations
                 take them all); asking a layer for a filter it has not got is a 400, and
                 so is any unknown parameter.

CSV: `WKT` geometry first, then `lon`/`lat` (EPSG:4326) or `x`/`y` (other CRS) of a point
on the feature, then the attributes; text cells that a spreadsheet would take for a formula
get a leading apostrophe. Times in the files are UTC. The CRS of every file is in the
`Content-Crs` response header; the file name is lyhty-<layer>-<date>.<format>.

Planners and department staff may export their municipalities' data (only theirs: other
municipalities' rows are left out), administrators everything, internal observations
included; the public, walk participants and partners get 403. Nothing says who reported
or logged a point.
"""

import tempfile
from pathlib import Path

from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from analysis.exports import (
    ALL_LAYERS,
    EXPORT_CRS,
    EXPORTERS,
    LANGUAGES,
    LAYERS,
    BadExportRequest,
    choose_srid,
    export,
    parse_filters,
)
from api.permissions import MayExport
from api.schemas import BINARY, EXPORT_REFUSED, FORBIDDEN, GEOJSON_FILE, NOT_FOUND
from walks import roles
from walks.filters import FILTERS


def layers_filtered_by(name: str) -> list[str]:
    return [layer for layer, each in LAYERS.items() if name in each.filters]


def query(name, kind, description, **schema):
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description, **schema)


PARAMETERS = [
    OpenApiParameter(
        "layer",
        str,
        OpenApiParameter.PATH,
        enum=[*LAYERS, ALL_LAYERS],
        description="`all`: every layer in one file (gpkg only).",
    ),
    OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=list(EXPORTERS)),
    query(
        "crs",
        str,
        "gpkg and shp.zip default to the national CRS of `municipality` (else EPSG:4326), "
        "the others to EPSG:4326; geojson and kml are EPSG:4326 only.",
        enum=[f"EPSG:{srid}" for srid in EXPORT_CRS],
    ),
    query(
        "lang",
        str,
        "Language of names and labels (default: Accept-Language).",
        enum=list(LANGUAGES),
    ),
    *(
        query(
            name,
            each.schema,
            format_lazy("{} ({})", each.help, ", ".join(layers_filtered_by(name))),
        )
        for name, each in FILTERS.items()
    ),
]
# One file, of the format's type; errors are JSON. GeoJSON is JSON, so it is described as
# what it is; the other formats are bytes.
FILES = {
    (200, exporter.content_type.split(";")[0]): OpenApiResponse(
        GEOJSON_FILE if fmt == "geojson" else BINARY,
        description="The file, as an attachment named lyhty-<layer>-<date>.<fmt>.",
    )
    for fmt, exporter in EXPORTERS.items()
}


class AnyAccept(BaseContentNegotiation):
    """GIS tools send all sorts of Accept headers; the answer is the file (errors are JSON)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return (renderers[0], renderers[0].media_type)


def file_response(exporter, name: str, srid: int, write) -> FileResponse:
    """The file that write(path) makes, as an attachment lyhty-<name>-<date>.<extension>."""
    folder = tempfile.TemporaryDirectory(prefix="lyhty-export-")
    try:
        path = Path(folder.name) / f"export.{exporter.extension}"
        write(path)
        # The open file outlives its directory: the space is freed when the response
        # is closed, even if the client goes away half way.
        file = path.open("rb")
    finally:
        folder.cleanup()
    today = timezone.localdate().isoformat()
    response = FileResponse(
        file,
        as_attachment=True,
        filename=f"lyhty-{name}-{today}.{exporter.extension}",
        content_type=exporter.content_type,
    )
    # As in OGC API - Features part 2, so a client knows the coordinates without guessing.
    response["Content-Crs"] = f"<http://www.opengis.net/def/crs/EPSG/0/{srid}>"
    return response


class ExportView(APIView):
    permission_classes = [MayExport]
    content_negotiation_class = AnyAccept

    @extend_schema(
        tags=["exports"],
        operation_id="v1_exports_retrieve",
        summary="A layer as a file for GIS tools and spreadsheets",
        description="Planners, department staff and administrators only; internal "
        "observations included, never who reported them. Each filter applies to the layers "
        "it means something for; any other parameter, or one given twice, is a 400 that names "
        "it. The file's CRS is in the `Content-Crs` header. Times are UTC.",
        parameters=PARAMETERS,
        responses={**FILES, 400: EXPORT_REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, layer, fmt):
        exporter = EXPORTERS.get(fmt)
        known_layer = layer in LAYERS or (layer == ALL_LAYERS and exporter is not None)
        if exporter is None or not known_layer:
            raise Http404
        if layer == ALL_LAYERS and not exporter.holds_many_layers:
            raise Http404
        try:
            params = self.single_values(request)
            crs = params.pop("crs", None)
            lang = params.pop("lang", None)
            if lang is not None and lang not in LANGUAGES:
                raise BadExportRequest(
                    _("lang must be one of %(codes)s.") % {"codes": ", ".join(LANGUAGES)}, "lang"
                )
            filters = parse_filters(layer, params)
            srid = choose_srid(fmt, crs, filters.get("municipality"))
        except BadExportRequest as error:
            return Response({"detail": str(error), "parameter": error.parameter}, status=400)

        scope = roles.municipalities_of(request.user, having=roles.exports)
        return file_response(
            exporter,
            layer,
            srid,
            lambda path: export(layer, fmt, filters, srid, path, lang=lang, municipalities=scope),
        )

    @staticmethod
    def single_values(request) -> dict[str, str]:
        params = {}
        for name, values in request.query_params.lists():
            if len(values) > 1:
                raise BadExportRequest(
                    _("Give %(name)s once; separate several values with commas.") % {"name": name},
                    name,
                )
            params[name] = values[0]
        return params
