# SPDX-License-Identifier: EUPL-1.2
"""Mapbox vector tiles encoded by PostGIS (ST_AsMVT), with TileJSON and HTTP caching.

/tiles/<layer>/<z>/<x>/<y>.pbf   one tile (Web Mercator, 4096 units, 64 buffer)
/tiles/<layer>.json              TileJSON 3.0.0 for MapLibre, QGIS and other clients

Layers: `observations` (points, what the caller may read: api.permissions, as /ogc/) and
`districts`. A tile is one statement:

    SELECT ST_AsMVT(tile, '<layer>', 4096, 'geom', 'id')
    FROM (SELECT q.mvt_geom AS geom, q.id, q.p_<name> AS <name>, …
          FROM (<the caller's rows in the tile, from the QuerySet>) AS q) AS tile

The ETag of an observations tile comes from the observation stamp (analysis.heatmap,
about 1 ms) and the caller's view, so an unchanged tile is a 304 before it is built; a
districts tile's ETag is its content's hash.
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

from analysis.heatmap import observations_stamp
from api.auth import participant_of
from api.permissions import observations_for, reads_internal
from geo.crs import WEB_MERCATOR
from geo.models import District
from ogc.views import OGCView, json_response, single_values
from walks.models import Observation

EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 22
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


class ObservationTiles(TileLayer):
    def stamp(self, request) -> str:
        participant = participant_of(request)
        viewer = "all" if reads_internal(request) else f"public:{getattr(participant, 'pk', '')}"
        return f"{observations_stamp(Observation)}|{viewer}"


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
        content = encode(request, tiles, z, x, y)
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
                        "fields": {name: "" for name in ("id", *tiles.properties)},
                        "minzoom": 0,
                        "maxzoom": MAX_ZOOM,
                    }
                ],
            }
        )


def lonlat_of_tile(z: int, x: int, y: int) -> tuple[float, float]:
    """The north-west corner of a tile in longitude, latitude (for tests and links)."""
    n = 2**z
    lon = x / n * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lon, lat


urlpatterns = [
    path("<slug:layer>.json", TileJSON.as_view(), name="tilejson"),
    path("<slug:layer>/<int:z>/<int:x>/<int:y>.pbf", Tile.as_view(), name="tile"),
]
