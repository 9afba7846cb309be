# SPDX-License-Identifier: EUPL-1.2
"""The heat map: observations counted in square grid cells of the national CRS.

The grid is anchored at the national CRS's origin (0, 0): cell (i, j) covers
x ∈ [i·cell, (i+1)·cell), y ∈ [j·cell, (j+1)·cell) in EPSG:3067 or EPSG:3006, so a cell is
the same square whatever the view, and `floor(x / cell)` in any tool finds it. Each cell
carries `count` (observations), `weight` (their summed severity, a missing severity
weighing as much as the middle of the scale, 3) and `density` (weight per km²).

One PostgreSQL statement does the work: the caller's QuerySet (already filtered and
limited to what the caller may read) becomes a subquery; PostGIS transforms the points,
bins, sums, drops cells under the privacy threshold, draws each cell back in EPSG:4326
and writes the GeoJSON. Python only plans the tiles and joins their text.

Repeated and panned views come from Django's cache. The grid is split into tiles of
TILE_CELLS × TILE_CELLS cells; each tile's features are cached under a key made of the
municipality, the grid, the caller's filters and visibility, and a stamp of the
observation table (see `observations_stamp`). A panned view computes only the tiles it
has not seen, in the same one statement. A change to any observation changes the stamp,
so nothing stale is served for longer than the statistics flush (about a second, for
deletions) or, for changes that bypass `updated_at` (e.g. a category made sensitive),
CACHE_SECONDS.
"""

import hashlib
import math

from django.contrib.gis.geos import MultiPoint, Point, Polygon
from django.core.cache import cache
from django.db import connection
from django.db.models import IntegerField, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

# Cell sizes a client may ask for, in metres of the national CRS.
CELL_SIZES = (50, 100, 250, 500, 1000, 2000)
# A zoom-following cell is about this many screen pixels wide (a Leaflet tile is 256 px).
CELL_PIXELS = 24
EQUATOR_M = 40_075_016.686
# Without zoom or cell: the finest cell that keeps the view at about 64 × 64 cells.
DEFAULT_VIEW_CELLS = 64 * 64
# The most cells one answer may hold: more than a map page can usefully draw.
MAX_CELLS = 20_000
# For the public (and walk participants) a cell with fewer observations is not shown.
PUBLIC_MIN_COUNT = 3
# An observation without a severity weighs as the middle of the 1–5 scale.
DEFAULT_WEIGHT = 3
# Tiles of the cache: 16 × 16 cells (4 km at 250 m).
TILE_CELLS = 16
# Bounds how long a change that does not touch the observation table can go unseen.
CACHE_SECONDS = 600


class TooManyCells(ValueError):
    pass


def cell_for_zoom(zoom: int, latitude: float) -> int:
    """The whitelisted cell nearest (on a log scale) to CELL_PIXELS at this web-map zoom."""
    metres_per_pixel = EQUATOR_M * math.cos(math.radians(latitude)) / 2**zoom / 256
    wanted = max(metres_per_pixel * CELL_PIXELS, 1e-9)
    return min(CELL_SIZES, key=lambda size: abs(math.log(size / wanted)))


def _box_edges(box: tuple, srid: int) -> MultiPoint:
    """Points along a box's four edges: a Transverse Mercator projection bends them, so
    transforming the corners alone would cut the box short."""
    x0, y0, x1, y1 = box
    steps = 16
    points = []
    for n in range(steps + 1):
        t = n / steps
        x, y = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
        points += [Point(x, y0), Point(x, y1), Point(x0, y), Point(x1, y)]
    return MultiPoint(points, srid=srid)


def national_extent(bbox: tuple, srid: int) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) in `srid` holding the lon/lat box."""
    return _box_edges(bbox, 4326).transform(srid, clone=True).extent


def lonlat_extent(box: tuple, srid: int) -> Polygon:
    """The lon/lat rectangle holding a box of the national CRS."""
    return Polygon.from_bbox(_box_edges(box, srid).transform(4326, clone=True).extent)


class Plan:
    """Which cells and tiles a view covers, in one grid."""

    def __init__(self, extent: tuple, cell: int):
        x0, y0, x1, y1 = extent
        self.cell = cell
        self.i0, self.j0 = math.floor(x0 / cell), math.floor(y0 / cell)
        self.i1, self.j1 = math.floor(x1 / cell), math.floor(y1 / cell)

    @property
    def cells(self) -> int:
        return (self.i1 - self.i0 + 1) * (self.j1 - self.j0 + 1)

    def tiles(self) -> list[tuple[int, int]]:
        t = TILE_CELLS
        return [
            (ti, tj)
            for ti in range(self.i0 // t, self.i1 // t + 1)
            for tj in range(self.j0 // t, self.j1 // t + 1)
        ]


def choose_cell(extent: tuple, latitude: float, *, cell=None, zoom=None) -> int:
    """The cell for a view: as asked, or following the zoom, never over MAX_CELLS."""
    if cell is not None:
        if Plan(extent, cell).cells > MAX_CELLS:
            raise TooManyCells(
                _(
                    "A %(cell)d m grid over this area has more than %(max)d cells; "
                    "choose a larger cell or a smaller bbox."
                )
                % {"cell": cell, "max": MAX_CELLS}
            )
        return cell
    if zoom is not None:
        wanted, limit = cell_for_zoom(zoom, latitude), MAX_CELLS
    else:
        wanted, limit = CELL_SIZES[0], DEFAULT_VIEW_CELLS
    for size in CELL_SIZES:
        if size >= wanted and Plan(extent, size).cells <= limit:
            return size
    return CELL_SIZES[-1]


# The one statement. Placeholders in order: tile size (×2), cell (×4), srid, cell area in
# km², cell (×2), srid, the observations' own parameters, min_count, i range, j range.
_CELLS = """
SELECT floor(cells.i::float8 / %s)::int AS ti, floor(cells.j::float8 / %s)::int AS tj,
       string_agg(json_build_object(
           'type', 'Feature',
           'id', cells.i || ':' || cells.j,
           'geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(ST_Transform(ST_MakeEnvelope(
               cells.i * %s::float8, cells.j * %s::float8,
               (cells.i + 1) * %s::float8, (cells.j + 1) * %s::float8, %s), 4326)), 6)::json,
           'properties', json_build_object(
               'count', cells.n,
               'weight', cells.weight,
               'density', round((cells.weight / %s::float8)::numeric, 3)
           )
       )::text, ',' ORDER BY cells.i, cells.j)
FROM (
    SELECT binned.i, binned.j, count(*) AS n, sum(binned.w) AS weight
    FROM (
        SELECT floor(ST_X(projected.p) / %s)::int AS i,
               floor(ST_Y(projected.p) / %s)::int AS j,
               projected.w
        FROM (
            SELECT ST_Transform(o.geom, %s) AS p, o.w
            FROM ({observations}) AS o(geom, w)
        ) AS projected
    ) AS binned
    GROUP BY binned.i, binned.j
    -- The exact cut after grouping, through min() (= i in its group) so that PostgreSQL
    -- does not push it into the scan, where it would transform every point four more
    -- times and misjudge how many rows pass.
    HAVING count(*) >= %s
       AND min(binned.i) BETWEEN %s AND %s AND min(binned.j) BETWEEN %s AND %s
) AS cells
GROUP BY 1, 2
"""


def weighted_points(observations):
    """The QuerySet reduced to (geom, weight) rows, its filters kept."""
    weight = Coalesce("severity", Value(DEFAULT_WEIGHT), output_field=IntegerField())
    return observations.order_by().annotate(heat_weight=weight).values_list("geom", "heat_weight")


def tiles_of(observations, *, srid: int, cell: int, tiles: tuple, min_count: int) -> dict:
    """Features of every tile in the rectangle `tiles` = (ti0, tj0, ti1, tj1), as GeoJSON
    text joined by commas ("" for a tile without cells), computed in one statement."""
    ti0, tj0, ti1, tj1 = tiles
    t = TILE_CELLS
    i0, j0, i1, j1 = ti0 * t, tj0 * t, (ti1 + 1) * t - 1, (tj1 + 1) * t - 1
    # A lon/lat box one cell wider makes the coarse cut, the bins the exact one. `&&`, not
    # ST_Intersects: exact for points, and it keeps PostgreSQL's parallel plan.
    margin = (i0 * cell - cell, j0 * cell - cell, (i1 + 2) * cell, (j1 + 2) * cell)
    rows = weighted_points(observations.filter(geom__bboverlaps=lonlat_extent(margin, srid)))
    sql, params = rows.query.sql_with_params()
    statement = _CELLS.format(observations=sql)
    area_km2 = cell * cell / 1e6
    params = (
        t,
        t,
        cell,
        cell,
        cell,
        cell,
        srid,
        area_km2,
        cell,
        cell,
        srid,
        *params,
        min_count,
        i0,
        i1,
        j0,
        j1,
    )
    found = {(ti, tj): "" for ti in range(ti0, ti1 + 1) for tj in range(tj0, tj1 + 1)}
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for ti, tj, features in cursor.fetchall():
            found[(ti, tj)] = features
    return found


def observations_stamp(model) -> str:
    """Changes whenever an observation is added, changed or deleted; costs ~1 ms.

    max(updated_at) and max(id) come from their indexes and see every save at once; the
    statistics counters also see deletions and bulk updates (flushed within about 1 s).
    A per-municipality count would be exact but costs 150–250 ms at a million rows.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT max(updated_at) FROM {table}), (SELECT max(id) FROM {table}),"
            " pg_stat_get_tuples_updated(%s::regclass) + pg_stat_get_tuples_deleted(%s::regclass)"
            " + pg_stat_get_tuples_inserted(%s::regclass)",
            [table, table, table],
        )
        return "|".join(str(value) for value in cursor.fetchone())


def clip(bbox: tuple, other: tuple):
    """The overlap of two (x0, y0, x1, y1) boxes, or None."""
    x0, y0 = max(bbox[0], other[0]), max(bbox[1], other[1])
    x1, y1 = min(bbox[2], other[2]), min(bbox[3], other[3])
    return (x0, y0, x1, y1) if x0 <= x1 and y0 <= y1 else None


def heatmap(
    observations,
    municipality,
    *,
    bbox: tuple | None = None,
    cell: int | None = None,
    zoom: int | None = None,
    min_count: int = 1,
    cache_key: str | None = None,
) -> bytes:
    """The heat map of `observations` in `municipality` as a GeoJSON FeatureCollection.

    `bbox` (lon/lat, default the municipality's extent) chooses the tiles; the answer has
    every cell of those tiles with at least `min_count` observations. `cache_key` names
    what the caller's QuerySet holds (filters and visibility); without it nothing is
    cached.
    """
    srid = municipality.national_srid
    view = clip(bbox or municipality.geom.extent, municipality.geom.extent)
    if view is None:
        return _collection(cell or CELL_SIZES[0], srid, min_count, [])
    extent = national_extent(view, srid)
    cell = choose_cell(extent, (view[1] + view[3]) / 2, cell=cell, zoom=zoom)
    wanted = Plan(extent, cell).tiles()
    observations = observations.in_municipality(municipality)

    keys = {}
    if cache_key is not None:
        grid = f"{cache_key}|{municipality.pk}|{srid}|{cell}|{min_count}|"
        grid += observations_stamp(observations.model)
        prefix = "heatmap:" + hashlib.sha256(grid.encode()).hexdigest()[:32]
        keys = {tile: f"{prefix}:{tile[0]}:{tile[1]}" for tile in wanted}
        cached = cache.get_many(list(keys.values()))
        tiles = {tile: cached[key] for tile, key in keys.items() if key in cached}
    else:
        tiles = {}
    missing = [tile for tile in wanted if tile not in tiles]
    if missing:
        rectangle = (
            min(ti for ti, _tj in missing),
            min(tj for _ti, tj in missing),
            max(ti for ti, _tj in missing),
            max(tj for _ti, tj in missing),
        )
        computed = tiles_of(
            observations, srid=srid, cell=cell, tiles=rectangle, min_count=min_count
        )
        tiles.update(computed)
        if keys:
            cache.set_many(
                {keys[tile]: text for tile, text in computed.items() if tile in keys},
                CACHE_SECONDS,
            )
    return _collection(cell, srid, min_count, [tiles[tile] for tile in wanted])


def _collection(cell: int, srid: int, min_count: int, parts: list[str]) -> bytes:
    features = ",".join(part for part in parts if part)
    return (
        f'{{"type": "FeatureCollection", "cell": {cell}, "srid": {srid}, '
        f'"min_count": {min_count}, "features": [{features}]}}'
    ).encode()
