# SPDX-License-Identifier: EUPL-1.2
"""Observations counted in screen-sized clusters, for a map view too full to draw points.

GET /api/v1/clusters/?bbox=…&zoom=…&<any observation filter>

The view's observations (what the caller may read, narrowed by the same filters as the
list) are binned in square cells of CLUSTER_PIXELS × CLUSTER_PIXELS screen pixels of the
Web Mercator map at `zoom`. Each cluster is a Point at the mean position of its
observations with its `count`; `count` at the top is the total in the view, the same number
the list endpoint gives for the same filters and bbox. The cell index is computed from
longitude and latitude with the Mercator formula (SQL functions `mercator_column` and
`mercator_row`, geo migration 0005), so no point is transformed.

What the view asks of a municipality with no other filter (a planner's or the public's
first screen) is summed from the cells PostgreSQL keeps current on write
(`geo_clustercell`: every observation and the public's, in the 64-pixel cells of zoom
KEPT_ZOOM with their summed coordinates): a cluster of a coarser zoom is a whole block of
those cells. Only the points around the block the bbox wholly covers are counted one by
one. Tens of milliseconds for a whole town of a million observations, where one GROUP BY
over its points takes about a second on two cores, and exactly what that GROUP BY gives.
Filtered views, a walk participant's and views finer than KEPT_ZOOM bin their points in
one GROUP BY.

Answers are cached (walks.cache) under what the caller may read and the query, until the
observations change: an added or changed observation, or a category made sensitive, is
seen at once, a deleted one within seconds (walks.cache.observations_stamp).
"""

import functools
import math
import operator
from dataclasses import dataclass

from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import BigIntegerField, Count, FloatField, Func, IntegerField, Q, Sum, Value
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from analysis.heatmap import KEPT_ON_WRITE, query_key
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
# The finest zoom whose clusters are kept on write (geo_clustercell, geo migration 0005):
# a cluster of a coarser zoom is a whole block of these cells (about 76 m at 60°N).
KEPT_ZOOM = 16
# Web Mercator's edge: beyond it the cell formula has no rows.
MAX_LATITUDE = 85
# How far the strips around a view's kept block reach into it, in degrees (~10 cm): more
# than the cell formula's rounding, far less than a cell.
STRIP_MARGIN = 1e-6
# The query's parts that say where, not which observations.
VIEW_PARAMETERS = ("bbox", "zoom", "municipality")
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


def cells_across(zoom: int) -> float:
    """How many clusters span the world's width at `zoom`."""
    return 2**zoom * 256 / CLUSTER_PIXELS


def mercator_column(cells: float) -> Func:
    """floor((lon + 180) / 360 · cells): the column of a square Web Mercator cell (the SQL
    function of geo migration 0005, shared with the cells kept on write)."""
    return Func(lon(), Value(cells), function="mercator_column", output_field=IntegerField())


def mercator_row(cells: float) -> Func:
    """The row of the same cell, 0 at the top: latitude through the Mercator formula."""
    return Func(lat(), Value(cells), function="mercator_row", output_field=IntegerField())


def degrees_e7(coordinate: Func) -> Func:
    """A coordinate in whole 1e-7 degrees, as the kept cells sum them."""
    return Func(coordinate, function="degrees_e7", output_field=BigIntegerField())


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


def binned(observations, zoom: int) -> list[tuple]:
    """(col, row, count, summed longitude, summed latitude) of each cluster of the
    observations at `zoom`, counted from the points; sums in 1e-7 degrees."""
    cells = cells_across(zoom)
    return list(
        observations.order_by()
        .annotate(col=mercator_column(cells), row=mercator_row(cells))
        .values("col", "row")
        .annotate(
            n=Count("id"),
            lon_e7=Sum(degrees_e7(lon())),
            lat_e7=Sum(degrees_e7(lat())),
        )
        .values_list("col", "row", "n", "lon_e7", "lat_e7")
    )


@dataclass(frozen=True)
class KeptCells:
    """Where a view's clusters may be summed from geo_clustercell: the cells of the
    audience `key` ("all" or "public") in the municipality."""

    municipality_id: int
    key: str


@dataclass(frozen=True)
class Block:
    """The kept cells (zoom KEPT_ZOOM) wholly inside a view, columns c0…c1 and rows
    r0…r1, with one whole cell to spare on every side so that no rounding of the bbox or
    of the cell formula puts a point of the block outside the view."""

    c0: int
    r0: int
    c1: int
    r1: int

    @classmethod
    def inside(cls, bbox: tuple):
        min_lon, min_lat, max_lon, max_lat = bbox
        if not -MAX_LATITUDE < min_lat < max_lat < MAX_LATITUDE:
            return None
        c0, r0 = mercator_cell(min_lon, max_lat, KEPT_ZOOM)
        c1, r1 = mercator_cell(max_lon, min_lat, KEPT_ZOOM)
        block = cls(c0 + 2, r0 + 2, c1 - 2, r1 - 2)
        return block if block.c0 <= block.c1 and block.r0 <= block.r1 else None

    def strips(self, bbox: tuple) -> Q:
        """The parts of the view around the block, as `&&` tests the spatial index
        answers: a little wider than the block's edges, the cell formula makes the exact
        cut (`outside`)."""
        min_lon, min_lat, max_lon, max_lat = bbox
        west, north = mercator_corner(self.c0, self.r0, KEPT_ZOOM)
        east, south = mercator_corner(self.c1 + 1, self.r1 + 1, KEPT_ZOOM)
        around = [
            (min_lon, min_lat, west + STRIP_MARGIN, max_lat),
            (east - STRIP_MARGIN, min_lat, max_lon, max_lat),
            (min_lon, min_lat, max_lon, south + STRIP_MARGIN),
            (min_lon, north - STRIP_MARGIN, max_lon, max_lat),
        ]
        return functools.reduce(
            operator.or_, (Q(geom__bboverlaps=Polygon.from_bbox(box)) for box in around)
        )

    def outside(self, observations, bbox: tuple):
        """The observations of the view whose kept cell is not in the block."""
        cells = cells_across(KEPT_ZOOM)
        return (
            observations.filter(self.strips(bbox))
            .annotate(kept_col=mercator_column(cells), kept_row=mercator_row(cells))
            .exclude(kept_col__range=(self.c0, self.c1), kept_row__range=(self.r0, self.r1))
        )

    def summed(self, kept: KeptCells, zoom: int) -> list[tuple]:
        """The block's kept cells summed into the clusters of `zoom`: one zoom coarser
        halves the cells' columns and rows (the formula's cells double with each zoom)."""
        per = 2 ** (KEPT_ZOOM - zoom)
        with connection.cursor() as cursor:
            cursor.execute(
                'SELECT col / %s, "row" / %s, sum(n), sum(lon_e7), sum(lat_e7)'
                " FROM geo_clustercell WHERE municipality_id = %s AND query_key = %s"
                ' AND col BETWEEN %s AND %s AND "row" BETWEEN %s AND %s GROUP BY 1, 2',
                [per, per, kept.municipality_id, kept.key, self.c0, self.c1, self.r0, self.r1],
            )
            return cursor.fetchall()


def clusters(
    observations, zoom: int, *, bbox: tuple | None = None, kept: KeptCells | None = None
) -> tuple[int, list[dict]]:
    """(total, features) of the observations binned at `zoom`; biggest clusters first.

    With `kept`, the cells kept on write that hold the observations, the part of the
    lon/lat `bbox` they wholly cover is summed from them and only the points around it are
    counted (the observations must then be exactly that audience's in the municipality
    and bbox)."""
    block = Block.inside(bbox) if kept is not None and zoom <= KEPT_ZOOM else None
    if block is None:
        rows = binned(observations, zoom)
    else:
        rows = block.summed(kept, zoom) + binned(block.outside(observations, bbox), zoom)
    merged: dict[tuple, list] = {}
    for col, row, n, lon_e7, lat_e7 in rows:
        sums = merged.setdefault((col, row), [0, 0, 0])
        sums[0] += int(n)
        sums[1] += int(lon_e7)
        sums[2] += int(lat_e7)
    ordered = sorted(merged.items(), key=lambda cell: (-cell[1][0], cell[0]))
    features = [
        {
            "type": "Feature",
            "id": f"{col}:{row}",
            "geometry": {
                "type": "Point",
                "coordinates": [round(lon_e7 / n / 1e7, 6), round(lat_e7 / n / 1e7, 6)],
            },
            "properties": {"count": n},
        }
        for (col, row), (n, lon_e7, lat_e7) in ordered[:MAX_CLUSTERS]
    ]
    return sum(n for n, _lon, _lat in merged.values()), features


def count_in_view(observations, bbox: tuple, kept: KeptCells) -> int:
    """How many of the observations lie in the lon/lat `bbox`, from the cells kept on
    write (the observations must be exactly `kept`'s audience in its municipality and the
    bbox): the clusters of zoom 0 summed."""
    return clusters(observations, 0, bbox=bbox, kept=kept)[0]


def kept_cells(request, query) -> KeptCells | None:
    """The cells kept on write that hold what the caller reads of the query's
    municipality, when the query has no filter beyond the municipality and the view."""
    municipality = query.get("municipality")
    if municipality is None:
        return None
    filters = {k: v for k, v in query.items() if k not in VIEW_PARAMETERS}
    key = query_key(apply_filters(observations_for(request, municipality), filters))
    return KeptCells(municipality.pk, key) if key in KEPT_ON_WRITE else None


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
            total, features = clusters(
                apply_filters(readable, query),
                query["zoom"],
                bbox=query["bbox"].extent,
                kept=kept_cells(request, query),
            )
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
    cells = cells_across(zoom)
    phi = math.radians(lat)
    col = math.floor((lon + 180) / 360 * cells)
    row = math.floor((1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2 * cells)
    return col, row


def mercator_corner(col: int, row: int, zoom: int) -> tuple[float, float]:
    """The longitude and latitude of a cell's top-left corner."""
    cells = cells_across(zoom)
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / cells))))
    return col / cells * 360 - 180, lat
