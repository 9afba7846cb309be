# SPDX-License-Identifier: EUPL-1.2
"""Mapbox vector tiles encoded by PostGIS (ST_AsMVT), with TileJSON and HTTP caching.

/tiles/<layer>/<z>/<x>/<y>.pbf   one tile (Web Mercator, 4096 units, 64 buffer)
/tiles/<layer>.json              TileJSON 3.0.0 for MapLibre, QGIS and other clients

Layers: `observations` (what the caller may read: api.permissions, as /ogc/) and
`districts`. Observations are points from zoom 13 on; up to zoom 12 they are heat-map cells
(points at the cell's centre with `count` and `weight`), summed from the heat map's 50 m
pre-aggregates (analysis.heatmap, built or reused as the heat map does), cells the size
the heat map uses at that zoom, and for the public only cells of 3 or more. A tile is one
statement:

    SELECT ST_AsMVT(tile, '<layer>', 4096, 'geom', 'id')
    FROM (SELECT q.mvt_geom AS geom, q.id, q.p_<name> AS <name>, …
          FROM (<the caller's rows in the tile, from the QuerySet>) AS q) AS tile

The ETag of an observations tile comes from the observation stamp (walks.cache, about
1 ms) and the caller's view, so an unchanged tile is a 304 before it is built; a
districts tile's ETag is its content's hash. Low-zoom observations tiles are also kept in
Django's cache under the same (ObservationTiles.content).
"""

import hashlib
import math
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import BinaryField, F, Func, Value
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.urls import path

from analysis.heatmap import (
    BASE_CELL,
    PUBLIC_MIN_COUNT,
    build_heat_cells,
    cell_for_zoom,
    query_key,
)
from api.permissions import audience, internal_scope, observations_for
from geo.crs import WEB_MERCATOR
from geo.models import District, Municipality
from ogc.views import OGCView, json_response, single_values
from walks.cache import cached, observations_stamp

EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 22
# Up to this zoom an observations tile holds heat-map cells, not points.
CELLS_UP_TO_ZOOM = 12
# How long a low-zoom observations tile stays in the cache (its key changes with the
# observations anyway).
TILE_CACHE_SECONDS = 60 * 60
# Half the Web Mercator world's width, in metres.
HALF_WORLD = 20037508.342789244


class TileEnvelope(Func):
    function = "ST_TileEnvelope"


class AsMVTGeom(Func):
    function = "ST_AsMVTGeom"
    output_field = BinaryField()


@dataclass
class TileLayer:
    name: str
    rows: callable  # request -> QuerySet
    properties: dict  # name -> expression
    geometry_type: str

    def stamp(self, request) -> str | None:
        return None

    def content(self, request, stamp: str | None, z: int, x: int, y: int) -> bytes:
        return encode(request, self, z, x, y)


class ObservationTiles(TileLayer):
    def stamp(self, request) -> str:
        return f"{observations_stamp()}|{audience(request)}"

    def content(self, request, stamp: str, z: int, x: int, y: int) -> bytes:
        """Points from zoom 13 on, built per request. Up to zoom 12, heat-map cells, kept
        in Django's cache (walks.cache: shared by the workers) under the tile, the
        caller's view (audience) and the observation stamp: any change to the
        observations, or to which categories are sensitive, is a new key at once. These
        tiles are few (a town spans tens of them at zoom 12) and each sums up to 35,000
        pre-aggregated cells; the many high-zoom tiles are cheaper and left uncached.
        """
        if z > CELLS_UP_TO_ZOOM:
            return encode(request, self, z, x, y)
        observations, who = stamp.rsplit("|", 1)
        return cached(
            "ogc-tile",
            [self.name, z, x, y, who],
            lambda: encode_cells(request, z, x, y),
            TILE_CACHE_SECONDS,
            stamp=observations,
        )


LAYERS = {
    layer.name: layer
    for layer in (
        ObservationTiles(
            name="observations",
            rows=observations_for,
            properties={
                "category": F("category__code"),
                "theme": F("category__theme__code"),
                "status": F("status"),
                "severity": F("severity"),
                "is_positive": F("is_positive"),
                "district": F("district_id"),
            },
            geometry_type="Point",
        ),
        TileLayer(
            name="districts",
            rows=lambda request: District.objects.all(),
            properties={
                "code": F("code"),
                "name": F("name"),
                "name_sv": F("name_sv"),
                "population": F("population"),
                "municipality": F("municipality__code"),
            },
            geometry_type="MultiPolygon",
        ),
    )
}


def tile_polygon(z: int, x: int, y: int) -> Polygon:
    """The tile's square in Web Mercator metres."""
    size = 2 * HALF_WORLD / 2**z
    west, north = -HALF_WORLD + x * size, HALF_WORLD - y * size
    box = Polygon.from_bbox((west, north - size, west + size, north))
    box.srid = WEB_MERCATOR
    return box


def encode(request, layer: TileLayer, z: int, x: int, y: int) -> bytes:
    envelope = TileEnvelope(Value(z), Value(x), Value(y))
    rows = (
        layer.rows(request)
        .filter(geom__bboverlaps=tile_polygon(z, x, y))
        .order_by()  # not the model's order: sorting the tile's rows costs a third more
        .annotate(
            mvt_geom=AsMVTGeom(
                Transform("geom", WEB_MERCATOR), envelope, Value(EXTENT), Value(BUFFER), Value(True)
            ),
            **{f"p_{name}": expression for name, expression in layer.properties.items()},
        )
        .values("mvt_geom", "id", *(f"p_{name}" for name in layer.properties))
    )
    inner_sql, params = rows.query.sql_with_params()
    # Column names come from the layer's fixed list above, never from the request.
    columns = ", ".join(f'q."p_{name}" AS "{name}"' for name in layer.properties)
    sql = (
        f"SELECT ST_AsMVT(tile, %s, {EXTENT}, 'geom', 'id') FROM "
        f"(SELECT q.mvt_geom AS geom, q.id, {columns} FROM ({inner_sql}) AS q"
        " WHERE q.mvt_geom IS NOT NULL) AS tile"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (layer.name, *params))
        return bytes(cursor.fetchone()[0] or b"")


# Sums the 50 m pre-aggregate `key` of the municipalities into cells of k × 50 m that
# touch the tile, one point per cell at its centre. The tile's range of 50 m cells (i, j)
# in each municipality's national CRS is worked out once per municipality (OFFSET 0 keeps
# PostgreSQL from inlining it into a per-row filter), as integers, so that it bounds the
# primary key's (municipality_id, query_key, i) scan: computed per row it cost ~2 s a
# tile (four ST_Transforms for each of 35,000 cells).
_CELLS = """
SELECT ST_AsMVT(cells, %(layer)s, 4096, 'geom') FROM (
    SELECT ST_AsMVTGeom(
               ST_Transform(
                   ST_SetSRID(ST_MakePoint((c.ci + 0.5) * %(cell)s, (c.cj + 0.5) * %(cell)s),
                              p.srid),
                   3857),
               p.envelope, 4096, 64, true) AS geom,
           c.n AS count, c.weight AS weight
    FROM (
        SELECT m.id, m.national_srid AS srid, t.envelope,
               (floor(ST_XMin(b.box) / %(base)s) - %(k)s)::int AS i0,
               (floor(ST_XMax(b.box) / %(base)s) + %(k)s)::int AS i1,
               (floor(ST_YMin(b.box) / %(base)s) - %(k)s)::int AS j0,
               (floor(ST_YMax(b.box) / %(base)s) + %(k)s)::int AS j1
        FROM (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS envelope) AS t
        CROSS JOIN geo_municipality m
        CROSS JOIN LATERAL (SELECT ST_Transform(t.envelope, m.national_srid) AS box) AS b
        WHERE m.id = ANY(%(municipalities)s)
        OFFSET 0
    ) AS p
    CROSS JOIN LATERAL (
        SELECT floor(h.i / %(k)s::float8)::int AS ci, floor(h.j / %(k)s::float8)::int AS cj,
               sum(h.n)::bigint AS n, sum(h.weight)::bigint AS weight
        FROM geo_heatcell h
        WHERE h.municipality_id = p.id AND h.query_key = %(key)s
          AND h.i BETWEEN p.i0 AND p.i1 AND h.j BETWEEN p.j0 AND p.j1
        GROUP BY 1, 2
        HAVING sum(h.n) >= %(min_count)s
    ) AS c
) AS cells
WHERE cells.geom IS NOT NULL
"""


def reads_all_of(request, municipalities) -> bool:
    """The caller reads the internal observations of every one of these municipalities (a
    cell may straddle a border: small cells show only if they do)."""
    scope = internal_scope(request)
    return scope is True or (bool(scope) and {m.pk for m in municipalities} <= scope)


def encode_cells(request, z: int, x: int, y: int) -> bytes:
    """An observations tile at a low zoom: heat-map cells, from the pre-aggregates."""
    rows = observations_for(request)
    key = query_key(rows)
    envelope = tile_polygon(z, x, y)
    municipalities = list(Municipality.objects.filter(geom__bboverlaps=envelope))
    if key is None or not municipalities:
        return b""
    for municipality in municipalities:
        build_heat_cells(rows.in_municipality(municipality), municipality, key)
    _west, north = lonlat_of_tile(z, x, y)
    _east, south = lonlat_of_tile(z, x + 1, y + 1)
    cell = cell_for_zoom(z, (north + south) / 2)
    params = {
        "layer": "observations",
        "cell": cell,
        "k": cell // BASE_CELL,
        "base": BASE_CELL,
        "z": z,
        "x": x,
        "y": y,
        "municipalities": [m.pk for m in municipalities],
        "key": key,
        "min_count": 1 if reads_all_of(request, municipalities) else PUBLIC_MIN_COUNT,
    }
    with connection.cursor() as cursor:
        cursor.execute(_CELLS, params)
        return bytes(cursor.fetchone()[0] or b"")


def layer_or_404(name: str) -> TileLayer:
    layer = LAYERS.get(name)
    if layer is None:
        raise Http404
    return layer


class Tile(OGCView):
    def get(self, request, layer, z, x, y):
        tiles = layer_or_404(layer)
        single_values(request, ())
        if z > MAX_ZOOM or x >= 2**z or y >= 2**z:
            raise Http404
        stamp = tiles.stamp(request)
        etag = None
        if stamp is not None:
            digest = hashlib.sha256(f"{stamp}|{layer}/{z}/{x}/{y}".encode()).hexdigest()[:32]
            etag = f'"{digest}"'
            if request.headers.get("If-None-Match") == etag:
                return _cached(HttpResponseNotModified(), etag, request)
        content = tiles.content(request, stamp, z, x, y)
        if etag is None:
            etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
            if request.headers.get("If-None-Match") == etag:
                return _cached(HttpResponseNotModified(), etag, request)
        response = HttpResponse(content, content_type="application/vnd.mapbox-vector-tile")
        return _cached(response, etag, request)


def _cached(response, etag: str, request):
    response["ETag"] = etag
    # Revalidated every time: the ETag makes that a 304 of a few hundred bytes.
    private = request.user.is_authenticated or request.auth is not None
    response["Cache-Control"] = ("private" if private else "public") + ", no-cache"
    response["Vary"] = "Authorization, Cookie"
    return response


class TileJSON(OGCView):
    def get(self, request, layer):
        tiles = layer_or_404(layer)
        single_values(request, ())
        template = request.build_absolute_uri(f"/tiles/{layer}/") + "{z}/{x}/{y}.pbf"
        return json_response(
            {
                "tilejson": "3.0.0",
                "name": f"Lyhty {layer}",
                "scheme": "xyz",
                "tiles": [template],
                "minzoom": 0,
                "maxzoom": MAX_ZOOM,
                "bounds": [-180, -85.0511, 180, 85.0511],
                "vector_layers": [
                    {
                        "id": layer,
                        "fields": fields(layer, tiles),
                        "minzoom": 0,
                        "maxzoom": MAX_ZOOM,
                    }
                ],
            }
        )


def fields(name: str, tiles: TileLayer) -> dict:
    found = {field: "" for field in ("id", *tiles.properties)}
    if name == "observations":
        found |= {
            "count": f"zoom ≤ {CELLS_UP_TO_ZOOM}: observations in the heat-map cell",
            "weight": f"zoom ≤ {CELLS_UP_TO_ZOOM}: their summed severity",
        }
    return found


def lonlat_of_tile(z: int, x: int, y: int) -> tuple[float, float]:
    """The north-west corner of a tile in longitude, latitude."""
    n = 2**z
    lon = x / n * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lon, lat


urlpatterns = [
    path("<slug:layer>.json", TileJSON.as_view(), name="tilejson"),
    path("<slug:layer>/<int:z>/<int:x>/<int:y>.pbf", Tile.as_view(), name="tile"),
]
