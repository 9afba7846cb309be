# SPDX-License-Identifier: EUPL-1.2
"""The heat map: observations counted in grid cells, as a GeoJSON FeatureCollection."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from analysis.heatmap import (
    CELL_SIZES,
    PUBLIC_MIN_COUNT,
    TooManyCells,
    heatmap,
    incident_heatmap,
)
from api.filters import FilterField, ObservationFilters, read_query
from api.geojson import GEOJSON, geometry_schema
from api.permissions import ReadOnly, observations_for, reads_internal_in
from api.schemas import BAD_REQUEST
from api.views.common import LyhtyView, geojson_response
from knowledge.models import FIRST_YEAR, LAST_YEAR, IncidentKind
from walks.filters import apply_filters

TAG = ["heat map"]

HEATMAP_COLLECTION = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "cell": {"type": "integer", "description": "Cell side in metres of the national CRS."},
        "srid": {"type": "integer", "description": "The national CRS the grid is drawn in."},
        "min_count": {
            "type": "integer",
            "description": "Cells with fewer observations are left out (privacy).",
        },
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "id": {"type": "string", "description": "i:j, the cell's column and row."},
                    "geometry": geometry_schema("Polygon"),
                    "properties": {
                        "type": "object",
                        "properties": {
                            "count": {"type": "integer"},
                            "weight": {"type": "integer", "description": "Summed severity."},
                            "density": {"type": "number", "description": "Weight per km²."},
                        },
                        "required": ["count", "weight", "density"],
                    },
                },
                "required": ["type", "id", "geometry", "properties"],
            },
        },
    },
    "required": ["type", "cell", "srid", "min_count", "features"],
}


class GridParameters(serializers.Serializer):
    """The grid of a heat map: which municipality, which part of it, which cell."""

    municipality = FilterField(
        "municipality",
        required=True,
        help_text=_("Municipality code: its national CRS carries the grid."),
    )
    bbox = FilterField(
        "bbox",
        help_text=_(
            "minLon,minLat,maxLon,maxLat in WGS84; default the municipality's extent. "
            "The answer covers the grid tiles (16 × 16 cells) that hold it."
        ),
    )
    zoom = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=24,
        help_text=_("Web-map zoom: the cell follows it (about 24 pixels wide)."),
    )
    cell = serializers.ChoiceField(
        [(size, f"{size} m") for size in CELL_SIZES],
        required=False,
        help_text=_("Cell side in metres; overrides zoom."),
    )


class HeatmapParameters(GridParameters, ObservationFilters):
    pass


# Parameters that choose the grid, not which observations count.
GRID_PARAMETERS = ("bbox", "municipality", "zoom", "cell")


class HeatmapView(LyhtyView):
    # Anyone reads; what each caller counts is observations_for's answer.
    permission_classes = [ReadOnly]

    @extend_schema(
        tags=TAG,
        summary="Observations counted in square cells of the national grid",
        operation_id="v1_heatmap",
        description="The observations the caller may read, with the same filters as the "
        "observation list, counted in square cells of the municipality's national CRS "
        "(EPSG:3067 or EPSG:3006, anchored at its origin). Each cell is a Polygon in "
        "WGS84 with `count`, `weight` (summed severity; a missing severity weighs 3) and "
        "`density` (weight per km²). The cell follows `zoom`, or is given as `cell`; "
        "without either, about 64 × 64 cells cover the view. For the public and walk "
        "participants, cells with fewer than 3 observations are left out. An answer never "
        "has more than 20,000 cells: an explicit cell that would give more is a 400.",
        parameters=[HeatmapParameters],
        responses={(200, GEOJSON): HEATMAP_COLLECTION, 400: BAD_REQUEST},
    )
    def get(self, request):
        query = read_query(request, HeatmapParameters)
        municipality = query["municipality"]
        filters = {k: v for k, v in query.items() if k not in GRID_PARAMETERS}
        internal = reads_internal_in(request, municipality.pk)
        # Who reads everything of this municipality reads what Observation.objects.all()
        # holds there: the heat map's "all" cells, kept current on write, and the same
        # filtered pre-aggregates for every such reader (analysis.heatmap.query_key).
        observations = apply_filters(observations_for(request, municipality), filters)
        try:
            content = heatmap(
                observations,
                municipality,
                **grid_query(query),
                min_count=1 if internal else PUBLIC_MIN_COUNT,
            )
        except TooManyCells as error:
            raise ValidationError({"cell": [str(error)]}) from error
        return geojson_response(content)


def grid_query(query) -> dict:
    """The keyword arguments a heat map takes from GridParameters' answer."""
    return {
        "bbox": query["bbox"].extent if "bbox" in query else None,
        "cell": query.get("cell"),
        "zoom": query.get("zoom"),
    }


INCIDENT_HEATMAP_COLLECTION = {
    **HEATMAP_COLLECTION,
    "properties": {
        **HEATMAP_COLLECTION["properties"],
        "year": {"type": "integer", "nullable": True, "description": "The year counted."},
    },
    "required": [*HEATMAP_COLLECTION["required"], "year"],
}


class IncidentHeatmapParameters(GridParameters):
    kind = serializers.ChoiceField(
        IncidentKind.choices, help_text=_("Which incidents: e.g. traffic_accident.")
    )
    year = serializers.IntegerField(
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text=_("The year counted; default the latest year with incidents of the kind."),
    )


class IncidentHeatmapView(LyhtyView):
    # Official files are public data; the public's cells keep the privacy threshold.
    permission_classes = [ReadOnly]

    @extend_schema(
        tags=TAG,
        summary="The knowledge base's incidents counted in the heat map's cells",
        operation_id="v1_heatmap_incidents",
        description="The incidents of one kind (imported with `import_incidents`) in one "
        "year, counted in the same cells of the national grid as the observations' heat "
        "map: `count` is the rows of the official file in a cell, `weight` the incidents "
        "they count (a row may count several) and `density` incidents per km². For the "
        "public and walk participants, cells with fewer than 3 rows are left out. `year` "
        "defaults to the latest year with incidents of the kind; the answer's `year` says "
        "which year it counts (null when there are none).",
        parameters=[IncidentHeatmapParameters],
        responses={(200, GEOJSON): INCIDENT_HEATMAP_COLLECTION, 400: BAD_REQUEST},
    )
    def get(self, request):
        query = read_query(request, IncidentHeatmapParameters)
        municipality = query["municipality"]
        internal = reads_internal_in(request, municipality.pk)
        try:
            content = incident_heatmap(
                municipality,
                query["kind"],
                query.get("year"),
                **grid_query(query),
                min_count=1 if internal else PUBLIC_MIN_COUNT,
            )
        except TooManyCells as error:
            raise ValidationError({"cell": [str(error)]}) from error
        return geojson_response(content)
