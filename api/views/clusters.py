# SPDX-License-Identifier: EUPL-1.2
"""Observations counted in screen-sized clusters, for a map view too full to draw points.

GET /api/v1/clusters/?bbox=…&zoom=…&<any observation filter>

The view's observations (what the caller may read, narrowed by the same filters as the
list) are binned in square cells of CLUSTER_PIXELS × CLUSTER_PIXELS screen pixels of the
Web Mercator map at `zoom`. Each cluster is a Point at the mean position of its
observations with its `count`; `count` at the top is the total in the view, the same number
the list endpoint gives for the same filters and bbox. One GROUP BY in PostgreSQL; the cell
index is computed from longitude and latitude with the Mercator formula, so no point is
transformed.

Answers are cached (walks.cache) under what the caller may read and the query, until the
observations change: an added or changed observation, or a category made sensitive, is
seen at once, a deleted one within seconds (walks.cache.observations_stamp). The whole
municipality's first screen is the same for every planner, and over a million
observations it costs a full scan (about a second on two cores).
"""

import math

from django.db.models import Avg, Count, FloatField, Func, IntegerField, Value
from django.db.models.functions import Cast, Cos, Floor, Ln, Pi, Radians, Tan
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api.filters import FilterField, ObservationFilters, read_query
from api.geojson import geometry_schema
from api.permissions import ReadOnly, audience, observations_for
from api.schemas import BAD_REQUEST
from api.views.common import LyhtyView
from walks.cache import cached
from walks.filters import apply_filters

TAG = ["observations"]

# A cluster covers this many screen pixels a side: a circle per cell stays readable.
CLUSTER_PIXELS = 64
# A 4K screen holds 60 × 34 such cells; a bbox several screens wide is cut to this many.
MAX_CLUSTERS = 5000
# How long an answer stays in the cache while the observations do not change.
CACHE_SECONDS = 10 * 60


class ClusterParameters(ObservationFilters):
    bbox = FilterField(
        "bbox", required=True, help_text=_("minLon,minLat,maxLon,maxLat in WGS84: the map view.")
    )
    zoom = serializers.IntegerField(
        min_value=0, max_value=24, help_text=_("Web-map zoom: a cluster is 64 pixels wide.")
    )


def lon() -> Func:
    return Func("geom", function="ST_X", output_field=FloatField())


def lat() -> Func:
    return Func("geom", function="ST_Y", output_field=FloatField())


def mercator_column(cells: float):
    """floor((lon + 180) / 360 · cells): the column of a square Web Mercator cell."""
    return Cast(Floor((lon() + 180.0) / 360.0 * Value(cells)), IntegerField())


def mercator_row(cells: float):
    """The row of the same cell, 0 at the top: latitude through the Mercator formula."""
    phi = Radians(lat())
    y = Ln(Tan(phi) + Value(1.0) / Cos(phi)) / Pi()
    return Cast(Floor((Value(1.0) - y) / 2.0 * Value(cells)), IntegerField())


CLUSTERS = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "count": {"type": "integer", "description": "Observations in the view."},
        "zoom": {"type": "integer"},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "id": {"type": "string", "description": "column:row of the cell"},
                    "geometry": geometry_schema("Point"),
                    "properties": {
                        "type": "object",
                        "properties": {"count": {"type": "integer"}},
                    },
                },
            },
        },
    },
}


def clusters(observations, zoom: int) -> tuple[int, list[dict]]:
    """(total, features) of the observations binned at `zoom`; biggest clusters first."""
    cells = 2**zoom * 256 / CLUSTER_PIXELS
    rows = (
        observations.order_by()
        .annotate(
            col=mercator_column(cells),
            row=mercator_row(cells),
        )
        .values("col", "row")
        .annotate(
            n=Count("id"),
            lon=Avg(lon()),
            lat=Avg(lat()),
        )
        .order_by("-n", "col", "row")
    )
    total, features = 0, []
    for row in rows:
        total += row["n"]
        if len(features) < MAX_CLUSTERS:
            features.append(
                {
                    "type": "Feature",
                    "id": f"{row['col']}:{row['row']}",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(row["lon"], 6), round(row["lat"], 6)],
                    },
                    "properties": {"count": row["n"]},
                }
            )
    return total, features


class ClusterView(LyhtyView):
    # Anyone reads; each caller counts only what observations_for lets them read.
    permission_classes = [ReadOnly]

    @extend_schema(
        tags=TAG,
        summary="Observations in a map view, counted in 64-pixel clusters",
        operation_id="v1_observation_clusters",
        description="For a view with too many observations to draw one by one: the same "
        "filters as the observation list, binned in square Web Mercator cells 64 pixels wide "
        "at `zoom`. Each cluster is a Point at its observations' mean position with their "
        "`count`; the top-level `count` is every matching observation in the bbox (equal to "
        "the list's count). At most 5,000 clusters, biggest first.",
        parameters=[ClusterParameters],
        responses={200: CLUSTERS, 400: BAD_REQUEST},
    )
    def get(self, request):
        query = read_query(request, ClusterParameters)

        def compute():
            readable = observations_for(request, query.get("municipality"))
            observations = apply_filters(readable, query)
            total, features = clusters(observations, query["zoom"])
            return {
                "type": "FeatureCollection",
                "count": total,
                "zoom": query["zoom"],
                "features": features,
            }

        # The query as asked: it was valid, and parsed values (a District) repr unstably.
        asked = sorted(request.query_params.items())
        return Response(cached("clusters", [audience(request), asked], compute, CACHE_SECONDS))


# The same cell in Python, for tests and for anyone checking a cluster by hand.
def mercator_cell(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    cells = 2**zoom * 256 / CLUSTER_PIXELS
    phi = math.radians(lat)
    col = math.floor((lon + 180) / 360 * cells)
    row = math.floor((1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2 * cells)
    return col, row
