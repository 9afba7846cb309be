# SPDX-License-Identifier: EUPL-1.2
"""The heat map: observations counted in grid cells, as a GeoJSON FeatureCollection."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from analysis.heatmap import CELL_SIZES, PUBLIC_MIN_COUNT, TooManyCells, heatmap
from api.filters import FilterField, ObservationFilters, read_query
from api.geojson import GEOJSON, geometry_schema
from api.permissions import ReadOnly, observations_for, reads_internal_in
from api.schemas import BAD_REQUEST
from api.views.common import LyhtyView, geojson_response
from walks.filters import apply_filters
from walks.models import Observation

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


class HeatmapParameters(ObservationFilters):
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
        readable = Observation.objects.all() if internal else observations_for(request)
        observations = apply_filters(readable, filters)
        bbox = query["bbox"].extent if "bbox" in query else None
        try:
            content = heatmap(
                observations,
                municipality,
                bbox=bbox,
                cell=query.get("cell"),
                zoom=query.get("zoom"),
                min_count=1 if internal else PUBLIC_MIN_COUNT,
            )
        except TooManyCells as error:
            raise ValidationError({"cell": [str(error)]}) from error
        return geojson_response(content)
