# SPDX-License-Identifier: EUPL-1.2
"""The heat map: observations counted in square grid cells of the national CRS.

The grid is anchored at the national CRS's origin (0, 0): cell (i, j) covers
x ∈ [i·cell, (i+1)·cell), y ∈ [j·cell, (j+1)·cell) in EPSG:3067 or EPSG:3006, so a cell is
the same square whatever the view, and `floor(x / cell)` in any tool finds it. Each cell
carries `count` (observations), `weight` (their summed severity, a missing severity
weighing as much as the middle of the scale, 3) and `density` (weight per km²).

Every view is summed from a pre-aggregate: the caller's QuerySet (already filtered and
limited to what the caller may read) counted once in 50 m cells of the municipality
(table `geo_heatcell`, geo migration 0002). Every cell size offered is a whole number of
50 m cells and floor(floor(x / 50) / k) is floor(x / 50k), so a 100 m or 2 km cell is the
sum of its 50 m cells: the answer is, byte for byte, what binning the points would give
(`tiles_of` without a key still does that; the tests hold both to plain Python), without
transforming a single point. One statement sums the cells of the view, drops those under
the privacy threshold, draws each cell back in EPSG:4326 and writes the GeoJSON: tens of
milliseconds for any view, so a panned or repeated view costs what any view costs.

A pre-aggregate is named by its QuerySet: "all" (staff, planners and administrators
without filters: `Observation.objects.all()`), "public" (`readable_by(None)`), or, for
any other QuerySet (filters, a participant's own points), a digest of its SQL, so that
callers asking the same question share it and nothing has to be declared.

"all" and "public" (KEPT_ON_WRITE) are kept current by PostgreSQL on every write of an
observation or category (geo migration 0004: statement-level triggers adding each
change's +1/−1 to its cells), so no reader ever builds them. So is `geo_themecell`, the
public observations per theme, source and UTC month in 250 m cells, from which
`theme_heat_maps` draws every theme's map of a period in one statement (the plan page).
The same triggers keep the map's clusters of "all" and "public" (geo migration 0005,
api.views.clusters).

A filtered pre-aggregate is built, in one parallel statement that costs about what
binning the whole municipality once costs, by the first request that finds it missing or
built from an older state of the observations (`walks.cache.observations_stamp`). A
municipality keeps the KEEP_FILTERED most recently built ones; older or outdated ones are
dropped. A change to any observation, or to which categories are sensitive, changes the
stamp. Deletions and bulk updates that leave updated_at alone are seen through
PostgreSQL's statistics counters, which reach other sessions within seconds. A change
that touches neither (e.g. a category moved to another theme) is seen when the
observations next change.
"""

import hashlib
import json
import math
from datetime import UTC, date, datetime, timedelta

from django.contrib.gis.geos import MultiPoint, Point, Polygon
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import IntegerField, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from knowledge.models import LAST_YEAR, Incident
from knowledge.rates import latest_years
from walks.cache import joined, stamp_sql

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
# An answer is made of whole tiles of 16 × 16 cells (4 km at 250 m), so that the same cell
# comes out of neighbouring views the same.
TILE_CELLS = 16
# The pre-aggregate's cell: every size in CELL_SIZES is a whole number of them.
BASE_CELL = 50
assert all(size % BASE_CELL == 0 for size in CELL_SIZES)
# Unfiltered QuerySets with a name of their own: what staff and the public read.
AUDIENCES = {
    "all": lambda model: model.objects.all(),
    "public": lambda model: model.objects.readable_by(None),
}
# The pre-aggregates PostgreSQL keeps current on write (geo migration 0004): never built here.
KEPT_ON_WRITE = ("all", "public")
# The cell of geo_themecell, the per-theme cells kept on write: a heat map drawn from them
# has a cell that is a whole number of these.
THEME_CELL = 250
# Filtered pre-aggregates a municipality keeps, the most recently built; each is at most a
# row for every 50 m cell with an observation (35,000 for the bench's million).
KEEP_FILTERED = 16
# A pre-aggregate is never dropped sooner after it was built, so that no request finds the
# cells it has just checked gone.
KEEP_AT_LEAST = timedelta(minutes=1)


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


# One cell as GeoJSON feature text: `cells` gives (i, j, n, weight). Placeholders: cell
# (×4), srid, cell area in km².
_FEATURE = """json_build_object(
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
       )::text"""

# The one statement: the cells of a rectangle of tiles as GeoJSON features, one row of
# comma-joined features a tile. `{cells}` is _LIVE_CELLS or _ROLLED_UP_CELLS, which give
# (i, j, n, weight) for the cells of the rectangle with at least min_count observations.
# Placeholders: tile size (×2), those of _FEATURE, then those of `cells`.
_FEATURES = (
    """
SELECT floor(cells.i::float8 / %s)::int AS ti, floor(cells.j::float8 / %s)::int AS tj,
       string_agg("""
    + _FEATURE
    + """, ',' ORDER BY cells.i, cells.j)
FROM ({cells}) AS cells
GROUP BY 1, 2
"""
)

# The points binned directly, for a view's cells only: what the pre-aggregate must sum to
# (`tiles_of` without a key; the tests compare the two). Placeholders: cell (×2), srid, the
# observations' own parameters, min_count, i range, j range.
_LIVE_CELLS = """
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
"""

# The same cells summed from the pre-aggregate's 50 m cells: floor(floor(x / 50) / k) is
# floor(x / (50 k)). Placeholders: k (×2), municipality, query key, base i range, base j
# range, min_count.
_ROLLED_UP_CELLS = """
SELECT floor(h.i::float8 / %s)::int AS i, floor(h.j::float8 / %s)::int AS j,
       sum(h.n)::bigint AS n, sum(h.weight)::bigint AS weight
FROM geo_heatcell AS h
WHERE h.municipality_id = %s AND h.query_key = %s
  AND h.i BETWEEN %s AND %s AND h.j BETWEEN %s AND %s
GROUP BY 1, 2
HAVING sum(h.n) >= %s
"""

# The pre-aggregate of one (municipality, QuerySet), into a temporary table: a CREATE
# TABLE … AS may run in parallel, an INSERT … SELECT may not (and takes twice as long).
# Placeholders: cell (×2), srid, the observations' own parameters.
_BUILD = """
CREATE TEMPORARY TABLE heat_build AS
SELECT floor(ST_X(projected.p) / %s)::int AS i, floor(ST_Y(projected.p) / %s)::int AS j,
       count(*) AS n, sum(projected.w) AS weight
FROM (
    SELECT ST_Transform(o.geom, %s) AS p, o.w
    FROM ({observations}) AS o(geom, w)
) AS projected
GROUP BY 1, 2
"""


def weighted_points(observations, *leading: str):
    """The QuerySet reduced to (geom, weight) rows, after the `leading` fields if any,
    its filters kept."""
    weight = Coalesce("severity", Value(DEFAULT_WEIGHT), output_field=IntegerField())
    return (
        observations.order_by()
        .annotate(heat_weight=weight)
        .values_list(*leading, "geom", "heat_weight")
    )


def query_key(observations) -> str | None:
    """The name of the QuerySet's pre-aggregate: "all" or "public" when it is exactly
    what that audience reads, else "q" and a digest of its SQL; None when it cannot match
    anything."""
    try:
        sql = observations.order_by().query.sql_with_params()
        for name, make in AUDIENCES.items():
            if make(observations.model).order_by().query.sql_with_params() == sql:
                return name
    except EmptyResultSet:
        return None
    # The statement as PostgreSQL runs it, values in place: the same question, the same key.
    statement = connection.ops.compose_sql(*sql)
    return "q" + hashlib.sha256(statement.encode()).hexdigest()[:32]


def tiles_of(
    observations,
    *,
    srid: int,
    cell: int,
    tiles: tuple,
    min_count: int,
    key: str | None = None,
    municipality=None,
    weigh=weighted_points,
) -> dict:
    """Features of every tile in the rectangle `tiles` = (ti0, tj0, ti1, tj1), as GeoJSON
    text joined by commas ("" for a tile without cells), computed in one statement.

    With a `key`, the cells are summed from that pre-aggregate of `municipality` (built
    and current: see `build_heat_cells`); without, the QuerySet's points are binned, each
    row weighing what `weigh` (a QuerySet → (geom, weight) rows) gives it."""
    ti0, tj0, ti1, tj1 = tiles
    t = TILE_CELLS
    i0, j0, i1, j1 = ti0 * t, tj0 * t, (ti1 + 1) * t - 1, (tj1 + 1) * t - 1
    if key is not None:
        k = cell // BASE_CELL
        cells = _ROLLED_UP_CELLS
        cell_params = (k, k, municipality.pk, key, i0 * k, (i1 + 1) * k - 1)
        cell_params += (j0 * k, (j1 + 1) * k - 1, max(min_count, 1))
    else:
        # A lon/lat box one cell wider makes the coarse cut, the bins the exact one. `&&`
        # (boxes rounded outwards, within the margin), not ST_Intersects: cheap on points,
        # and it keeps PostgreSQL's parallel plan.
        margin = (i0 * cell - cell, j0 * cell - cell, (i1 + 2) * cell, (j1 + 2) * cell)
        rows = weigh(observations.filter(geom__bboverlaps=lonlat_extent(margin, srid)))
        sql, params = rows.query.sql_with_params()
        cells = _LIVE_CELLS.format(observations=sql)
        cell_params = (cell, cell, srid, *params, min_count, i0, i1, j0, j1)
    statement = _FEATURES.format(cells=cells)
    params = (t, t, cell, cell, cell, cell, srid, cell * cell / 1e6, *cell_params)
    found = {(ti, tj): "" for ti in range(ti0, ti1 + 1) for tj in range(tj0, tj1 + 1)}
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for ti, tj, features in cursor.fetchall():
            found[(ti, tj)] = features
    return found


def _stamps(municipality, key) -> tuple[str, str | None]:
    """The observations' stamp (walks.cache), and the one the pre-aggregate `key` of the
    municipality was built at (None if never): one query."""
    sql, params = stamp_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sql}, (SELECT stamp FROM geo_heatcell_stamp"
            " WHERE municipality_id = %s AND query_key = %s)",
            [*params, municipality.pk, key],
        )
        *values, built = cursor.fetchone()
    return joined(values), built


def _built_stamp(stamp: str, srid: int) -> str:
    return f"{srid}@{stamp}"


def count_cells(cursor, observations, srid: int):
    """Bin the QuerySet's points in 50 m cells into the temporary table heat_build (i, j,
    n, weight): one parallel statement; the caller drops it."""
    sql, params = weighted_points(observations).query.sql_with_params()
    # PostgreSQL cannot estimate how many cells floor(ST_X(…)) makes and takes it for
    # one a point, so it sorts a million rows; a hash of the real (tens of thousands)
    # cells is a third faster. For this statement only, then as before.
    cursor.execute(
        "SELECT current_setting('enable_sort'), current_setting('work_mem'),"
        " set_config('enable_sort', 'off', true), set_config('work_mem', '64MB', true)"
    )
    enable_sort, work_mem, _off, _mem = cursor.fetchone()
    cursor.execute(_BUILD.format(observations=sql), (BASE_CELL, BASE_CELL, srid, *params))
    cursor.execute(
        "SELECT set_config('enable_sort', %s, true), set_config('work_mem', %s, true)",
        [enable_sort, work_mem],
    )


def build_heat_cells(observations, municipality, key: str):
    """Make the pre-aggregate `key` (see query_key) of `observations` in `municipality`
    current: nothing for the KEPT_ON_WRITE ones, one query for a filtered one that is,
    one parallel statement more when it is not.

    `observations` is the QuerySet `key` names, limited to the municipality. One request
    builds, others asking for the same at the same time wait for it (an advisory lock) and
    then find it current. Readers see the old cells until the new ones are committed."""
    if key in KEPT_ON_WRITE:
        return
    srid = municipality.national_srid
    stamp, built = _stamps(municipality, key)
    if built == _built_stamp(stamp, srid):
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_id(municipality, key)])
        stamp, built = _stamps(municipality, key)
        if built == _built_stamp(stamp, srid):
            return
        count_cells(cursor, observations, srid)
        _drop(cursor, municipality, [key])
        cursor.execute(
            "INSERT INTO geo_heatcell (municipality_id, query_key, i, j, n, weight)"
            " SELECT %s, %s, i, j, n, weight FROM heat_build",
            [municipality.pk, key],
        )
        cursor.execute("DROP TABLE heat_build")
        cursor.execute(
            "INSERT INTO geo_heatcell_stamp (municipality_id, query_key, stamp)"
            " VALUES (%s, %s, %s) ON CONFLICT (municipality_id, query_key)"
            " DO UPDATE SET stamp = EXCLUDED.stamp, built_at = now()",
            [municipality.pk, key, _built_stamp(stamp, srid)],
        )
        _drop_unwanted(cursor, municipality, key, _built_stamp(stamp, srid))


def _lock_id(municipality, key) -> int:
    digest = hashlib.sha256(f"geo_heatcell:{municipality.pk}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _drop(cursor, municipality, keys):
    for table in ("geo_heatcell", "geo_heatcell_stamp"):
        cursor.execute(
            f"DELETE FROM {table} WHERE municipality_id = %s AND query_key = ANY(%s)",  # noqa: S608
            [municipality.pk, keys],
        )


def _drop_unwanted(cursor, municipality, built: str, current: str):
    """Drop the municipality's filtered pre-aggregates that are outdated or past the
    KEEP_FILTERED most recent, unless just built or being built (locked) now."""
    cursor.execute(
        "SELECT query_key, stamp, built_at < now() - %s FROM geo_heatcell_stamp"
        " WHERE municipality_id = %s AND query_key NOT IN ('all', 'public', %s)"
        " ORDER BY built_at DESC",
        [KEEP_AT_LEAST, municipality.pk, built],
    )
    unwanted = [
        key
        for n, (key, stamp, old) in enumerate(cursor.fetchall())
        if old and (stamp != current or n >= KEEP_FILTERED - 1)
    ]
    free = []
    for key in unwanted:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_lock_id(municipality, key)])
        if cursor.fetchone()[0]:
            free.append(key)
    if free:
        _drop(cursor, municipality, free)


def forget_heat_cells(municipality=None):
    """Drop the filtered pre-aggregates (of one municipality, or all): the next request
    rebuilds. The KEPT_ON_WRITE ones stay (see rebuild_kept_cells)."""
    with connection.cursor() as cursor:
        for table in ("geo_heatcell_stamp", "geo_heatcell"):
            where, params = "query_key <> ALL(%s)", [list(KEPT_ON_WRITE)]
            if municipality is not None:
                where, params = f"{where} AND municipality_id = %s", [*params, municipality.pk]
            cursor.execute(f"DELETE FROM {table} WHERE {where}", params)  # noqa: S608


def rebuild_kept_cells():
    """Count every cell kept on write again from the observations (geo migration 0004's
    heat_cells_rebuild): after a municipality's national CRS changes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT heat_cells_rebuild()")


def clip(bbox: tuple, other: tuple):
    """The overlap of two (x0, y0, x1, y1) boxes, or None."""
    x0, y0 = max(bbox[0], other[0]), max(bbox[1], other[1])
    x1, y1 = min(bbox[2], other[2]), min(bbox[3], other[3])
    return (x0, y0, x1, y1) if x0 <= x1 and y0 <= y1 else None


class View:
    """The cells and tiles a heat map of a municipality answers with: the lon/lat `bbox`
    (default the municipality's extent) clipped to the municipality, in the cell asked
    for or following the zoom. `tiles` is empty when the box misses the municipality."""

    def __init__(self, municipality, bbox=None, *, cell=None, zoom=None):
        self.srid = municipality.national_srid
        view = clip(bbox or municipality.geom.extent, municipality.geom.extent)
        self.cell = cell or CELL_SIZES[0]
        self.tiles = []
        if view is None:
            return
        extent = national_extent(view, self.srid)
        self.cell = choose_cell(extent, (view[1] + view[3]) / 2, cell=cell, zoom=zoom)
        self.tiles = Plan(extent, self.cell).tiles()

    @property
    def rectangle(self) -> tuple:
        """(ti0, tj0, ti1, tj1), the tiles' bounding rectangle."""
        columns = [ti for ti, _tj in self.tiles]
        rows = [tj for _ti, tj in self.tiles]
        return min(columns), min(rows), max(columns), max(rows)

    def collection(self, min_count: int, found: dict | None = None, **extra) -> bytes:
        found = found or {}
        parts = [found.get(tile, "") for tile in self.tiles]
        return _collection(self.cell, self.srid, min_count, parts, **extra)


def heatmap(
    observations,
    municipality,
    *,
    bbox: tuple | None = None,
    cell: int | None = None,
    zoom: int | None = None,
    min_count: int = 1,
) -> bytes:
    """The heat map of `observations` in `municipality` as a GeoJSON FeatureCollection.

    `bbox` (lon/lat, default the municipality's extent) chooses the tiles; the answer has
    every cell of those tiles with at least `min_count` observations, summed from the
    QuerySet's pre-aggregate (see the module's docstring), which is named by the
    QuerySet's own SQL.
    """
    view = View(municipality, bbox, cell=cell, zoom=zoom)
    key = query_key(observations)
    if not view.tiles or key is None:
        return view.collection(min_count)
    observations = observations.in_municipality(municipality)
    build_heat_cells(observations, municipality, key)
    tiles = tiles_of(
        observations,
        srid=view.srid,
        cell=view.cell,
        tiles=view.rectangle,
        min_count=min_count,
        key=key,
        municipality=municipality,
    )
    return view.collection(min_count, tiles)


def incidents_weighed(incidents):
    """Incident rows as (geom, weight): a row weighs the incidents it counts."""
    return incidents.order_by().values_list("geom", "count")


def incident_heatmap(
    municipality,
    kind: str,
    year: int | None,
    *,
    bbox: tuple | None = None,
    cell: int | None = None,
    zoom: int | None = None,
    min_count: int = 1,
) -> bytes:
    """The knowledge base's incidents of one kind and year in the same grid as the
    observations' heat map: `count` is the rows of the official file in a cell (the privacy
    cut applies to it), `weight` the incidents they count, `density` incidents per km².
    Binned live: an official file holds thousands of rows, not millions, and changes once
    a year. `year` None is the latest year with incidents of the kind; the answer names
    the year it counts (null when there are none)."""
    year = year or latest_years(municipality, LAST_YEAR).get(kind)
    view = View(municipality, bbox, cell=cell, zoom=zoom)
    if not view.tiles or year is None:
        return view.collection(min_count, year=year)
    incidents = Incident.objects.in_municipality(municipality).of_kind(kind).filter(year=year)
    tiles = tiles_of(
        incidents,
        srid=view.srid,
        cell=view.cell,
        tiles=view.rectangle,
        min_count=max(min_count, 1),
        weigh=incidents_weighed,
    )
    return view.collection(min_count, tiles, year=year)


# Every theme's cells of a period, summed from geo_themecell for the whole UTC months in it
# and binned live from the points for the days around them. Placeholders: k (×2), srid and
# THEME_CELL (×2), the live rows' own parameters, municipality, first and end month,
# sources (or null, ×2), min_count.
_THEME_CELLS = """
SELECT every.theme_id, floor(every.i::float8 / %s)::int AS i,
       floor(every.j::float8 / %s)::int AS j, sum(every.n)::bigint AS n,
       sum(every.weight)::bigint AS weight
FROM (
    SELECT o.theme_id, floor(ST_X(ST_Transform(o.geom, %s)) / %s)::int AS i,
           floor(ST_Y(ST_Transform(o.geom, %s)) / %s)::int AS j, 1 AS n, o.w AS weight
    FROM ({observations}) AS o(theme_id, geom, w)
    UNION ALL
    SELECT t.theme_id, t.i, t.j, t.n, t.weight
    FROM geo_themecell AS t
    WHERE t.municipality_id = %s AND t.month >= %s AND t.month < %s
      AND (%s::text[] IS NULL OR t.source = ANY(%s::text[]))
) AS every
GROUP BY 1, 2, 3
HAVING sum(every.n) >= %s
"""

# Placeholders: those of _FEATURE, then those of `cells`.
_THEME_FEATURES = (
    "SELECT cells.theme_id, string_agg("
    + _FEATURE
    + ", ',' ORDER BY cells.i, cells.j) FROM ({cells}) AS cells GROUP BY 1"
)


def whole_months(start: datetime, end: datetime) -> tuple[date, date]:
    """The UTC months wholly inside [start, end): (first month, the month after the last);
    first ≥ last when there is none."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    first = date(start.year, start.month, 1)
    if start != datetime(start.year, start.month, 1, tzinfo=UTC):
        first = (first + timedelta(days=31)).replace(day=1)
    return first, date(end.year, end.month, 1)


def theme_heat_maps(
    municipality,
    themes: list[int],
    start: datetime,
    end: datetime,
    *,
    cell: int,
    min_count: int,
    sources=None,
) -> dict[int, bytes]:
    """The public heat map of each theme (ids) over [start, end) (observed_at), with the
    cells `heatmap` gives for the whole municipality (in the order of their i, j), keyed
    by the theme's id: one statement for all themes.

    The whole UTC months of the period are summed from geo_themecell, kept current on
    write; the days before the first and after the last whole month are binned from the
    points. `sources` narrows to those sources (None: all). `cell` is a multiple of
    THEME_CELL."""
    from walks.models import Category, Observation

    assert cell % THEME_CELL == 0, cell
    srid, k = municipality.national_srid, cell // THEME_CELL
    first, last = whole_months(start, end)
    public = AUDIENCES["public"](Observation).in_municipality(municipality)
    if sources:
        public = public.from_sources(sources)
    if first < last:
        edge = Q(observed_at__gte=start, observed_at__lt=_utc(first))
        edge |= Q(observed_at__gte=_utc(last), observed_at__lt=end)
    else:
        first = last  # no whole month: every day binned, nothing summed
        edge = Q(observed_at__gte=start, observed_at__lt=end)
    # Every category named, redundantly: PostgreSQL then reads the days from the index on
    # (category, observed_at) instead of scanning every observation.
    every_category = list(Category.objects.values_list("pk", flat=True))
    live = weighted_points(public.filter(edge, category__in=every_category), "category__theme_id")
    sql, params = live.query.sql_with_params()
    cells = _THEME_CELLS.format(observations=sql)
    listed = list(sources) if sources else None
    cell_params = (k, k, srid, THEME_CELL, srid, THEME_CELL, *params, municipality.pk)
    cell_params += (first, last, listed, listed, max(min_count, 1))
    statement = _THEME_FEATURES.format(cells=cells)
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(statement, (cell, cell, cell, cell, srid, cell * cell / 1e6, *cell_params))
        for theme_id, features in cursor.fetchall():
            found[theme_id] = features
    return {theme: _collection(cell, srid, min_count, [found.get(theme, "")]) for theme in themes}


def _utc(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


def _collection(cell: int, srid: int, min_count: int, parts: list[str], **extra) -> bytes:
    features = ",".join(part for part in parts if part)
    members = "".join(f'"{name}": {json.dumps(value)}, ' for name, value in extra.items())
    return (
        f'{{"type": "FeatureCollection", {members}"cell": {cell}, "srid": {srid}, '
        f'"min_count": {min_count}, "features": [{features}]}}'
    ).encode()
