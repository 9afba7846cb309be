# SPDX-License-Identifier: EUPL-1.2
"""A QGIS project of one municipality, ready to open: the live layers, styled by theme.

`GET /api/v1/exports/qgis-project.qgz?municipality=CODE` (planners of the municipality
and administrators) answers a .qgz: a zip holding one QGIS project (.qgs, read by QGIS
3.22 and later) in the municipality's national CRS (EPSG:3067 or EPSG:3006), opening on
the municipality, with

- Observations: OGC API – Features (`/ogc/`, collection `observations`), one colour per
  theme, the plan's colours (plans.maps.THEME_COLOURS);
- Safety walks and Districts: OGC API – Features;
- Observations (tiles): the vector tiles of `/tiles/observations/`, the same colours,
  for overviews of a whole region.

The layers read the live service, so the project is current whenever it is opened. It
holds no credential: QGIS reads what the public may read until the planner adds an
authentication configuration (README, "QGIS and other GIS"), which QGIS keeps in its own
encrypted store rather than in a file that gets passed around.
"""

import io
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from django.db import connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from api.filters import read_query
from api.schemas import BAD_REQUEST, FORBIDDEN, NOT_FOUND
from api.views.common import LyhtyView
from geo.models import Municipality
from plans.maps import THEME_COLOURS
from walks import roles
from walks.models import Theme

PROJECT_FILE = "lyhty.qgs"


@dataclass
class Category:
    value: str
    label: str
    colour: str  # "r,g,b,255", as QGIS writes colours


def rgba(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"{red},{green},{blue},255"


def theme_categories() -> list[Category]:
    return [
        Category(theme.code, theme.name, rgba(THEME_COLOURS.get(theme.code, "#999999")))
        for theme in Theme.objects.order_by("order", "code")
    ]


def national_extent(municipality) -> tuple[float, float, float, float]:
    """The municipality's bounding box in its national CRS, computed by PostGIS."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM ("
            " SELECT ST_Extent(ST_Transform(geom, national_srid)) AS b"
            " FROM geo_municipality WHERE id = %s) AS e",
            [municipality.pk],
        )
        return cursor.fetchone()


def oapif_source(base_url: str, collection: str, srid: int) -> str:
    """The OAPIF provider's data source: the collection, in the national CRS, fetched by
    the visible area, page by page."""
    return (
        f"pagingEnabled='true' preferCoordinatesForWfsT11='false' restrictToRequestBBOX='1' "
        f"srsname='EPSG:{srid}' typename='{collection}' url='{base_url}/ogc/' "
        f"version='OGC_API_FEATURES'"
    )


def tiles_source(base_url: str, layer: str) -> str:
    template = quote(f"{base_url}/tiles/{layer}/{{z}}/{{x}}/{{y}}.pbf", safe=":/")
    return f"type=xyz&url={template}&zmax=16&zmin=0"


def project_qgs(municipality, base_url: str) -> str:
    srid = municipality.national_srid
    xmin, ymin, xmax, ymax = national_extent(municipality)
    margin = max(xmax - xmin, ymax - ymin) * 0.05
    return render_to_string(
        "ogc/qgis_project.qgs",
        {
            "title": _("Lyhty – %(name)s") % {"name": municipality.name},
            "srid": srid,
            "extent": (xmin - margin, ymin - margin, xmax + margin, ymax + margin),
            "categories": theme_categories(),
            "layers": {
                "observations": oapif_source(base_url, "observations", srid),
                "walks": oapif_source(base_url, "walks", srid),
                "districts": oapif_source(base_url, "districts", srid),
                "tiles": tiles_source(base_url, "observations"),
            },
            "names": {
                "observations": _("Observations"),
                "walks": _("Safety walks"),
                "districts": _("Districts"),
                "tiles": _("Observations (tiles)"),
            },
        },
    )


def project_qgz(municipality, base_url: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(PROJECT_FILE, project_qgs(municipality, base_url))
    return buffer.getvalue()


# --- the view ---------------------------------------------------------------------------


class ProjectParameters(serializers.Serializer):
    municipality = serializers.CharField(max_length=10, help_text=_("Municipality code."))


class MayDownloadProject(BasePermission):
    message = _("Only the municipality's planners and administrators can download its project.")

    def has_permission(self, request, view):
        return request.user.is_authenticated


class QGISProject(LyhtyView):
    permission_classes = [MayDownloadProject]

    @extend_schema(
        tags=["exports"],
        operation_id="v1_exports_qgis_project",
        summary="A QGIS project of one municipality: the live OGC API and tile layers",
        description="For the municipality's planners and administrators. A .qgz (QGIS 3.22 "
        "and later) in the municipality's national CRS, opening on the municipality, its "
        "layers reading /ogc/ and /tiles/ live, observations coloured by theme. It holds no "
        "credential.",
        parameters=[ProjectParameters],
        responses={
            (200, "application/vnd.qgis.qgz"): OpenApiTypes.BINARY,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request):
        query = read_query(request, ProjectParameters)
        municipality = get_object_or_404(
            Municipality.objects.defer("geom"), code=query["municipality"]
        )
        if not roles.organises(roles.role_in(request.user, municipality.pk)):
            raise PermissionDenied(MayDownloadProject.message)
        base_url = request.build_absolute_uri("/").rstrip("/")
        response = HttpResponse(
            project_qgz(municipality, base_url), content_type="application/vnd.qgis.qgz"
        )
        name = f"lyhty-{municipality.code}.qgz"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
