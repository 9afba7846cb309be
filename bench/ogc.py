# SPDX-License-Identifier: EUPL-1.2
"""OGC API – Features and vector tiles over HTTP against the raw PostGIS statements.

- a page of 1,000 observations from /ogc/collections/observations/items, as the public,
  against the SQL that builds the same page (json_agg of the same Features, by id);
- the z14 tile at the demo's centre against the raw ST_AsMVT of the same rows;
- tiles at zoom 8–12 (heat-map cells from the pre-aggregates), median over HTTP.
"""

import json
import math
import statistics
import time

from django.db import connection

PUBLIC = (
    "o.visibility = 'public' AND o.status NOT IN ('rejected', 'duplicate') AND NOT c.is_sensitive"
)

RAW_PAGE = f"""
SELECT json_agg(f.feature)::text
FROM (
    SELECT json_build_object(
        'type', 'Feature', 'id', o.id,
        'geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(o.geom), 6)::json,
        'properties', json_build_object(
            'id', o.id, 'uuid', o.uuid, 'category', c.code, 'theme', t.code,
            'status', o.status, 'severity', o.severity,
            'perceived_safety', o.perceived_safety, 'is_positive', o.is_positive,
            'light_condition', NULLIF(o.light_condition, ''), 'description', o.description,
            'proposed_fix', o.proposed_fix, 'district', o.district_id, 'municipality', m.code,
            'walk', o.walk_id, 'observed_at', o.observed_at, 'updated_at', o.updated_at,
            'responsible_unit', u.code,
            'stretch', ST_AsGeoJSON(ST_ForcePolygonCCW(o.stretch), 6)::json)
    ) AS feature
    FROM walks_observation o
    JOIN walks_category c ON c.id = o.category_id
    JOIN walks_theme t ON t.id = c.theme_id
    JOIN geo_municipality m ON m.id = o.municipality_id
    LEFT JOIN walks_responsibleunit u ON u.id = o.responsible_unit_id
    WHERE {PUBLIC}
    ORDER BY o.id
    LIMIT 1000
) AS f
"""

RAW_TILE = f"""
SELECT ST_AsMVT(tile, 'observations', 4096, 'geom', 'id') FROM (
    SELECT ST_AsMVTGeom(ST_Transform(o.geom, 3857), ST_TileEnvelope(%s, %s, %s), 4096, 64, true)
               AS geom,
           o.id, c.code AS category, t.code AS theme, o.status, o.severity, o.is_positive,
           o.district_id AS district
    FROM walks_observation o
    JOIN walks_category c ON c.id = o.category_id
    JOIN walks_theme t ON t.id = c.theme_id
    WHERE o.geom && ST_Transform(ST_TileEnvelope(%s, %s, %s), 4326) AND {PUBLIC}
) AS tile
WHERE tile.geom IS NOT NULL
"""


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def tile_at(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    return int((lon + 180) / 360 * n), int(
        (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    )


def centre(code: str = "demo") -> tuple[float, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(geom) AS c FROM geo_municipality"
            " WHERE code = %s) AS centre",
            [code],
        )
        return cursor.fetchone()


def bench_ogc(http, server, repeat: int = 15, municipality: str = "demo") -> dict:
    def raw_page():
        with connection.cursor() as cursor:
            cursor.execute(RAW_PAGE)
            return cursor.fetchone()[0]

    def api_page():
        status, body = http("GET", "/ogc/collections/observations/items?limit=1000")
        assert status == 200, body[:300]
        return body

    lon, lat = centre(municipality)
    x, y = tile_at(lon, lat, 14)

    def raw_tile():
        with connection.cursor() as cursor:
            cursor.execute(RAW_TILE, (14, x, y, 14, x, y))
            return bytes(cursor.fetchone()[0] or b"")

    def api_tile(z=14, tx=x, ty=y):
        status, body = http("GET", f"/tiles/observations/{z}/{tx}/{ty}.pbf")
        assert status == 200, body[:300]
        return body

    low = [(z, *tile_at(lon, lat, z)) for z in range(8, 13)]
    with server():
        page = json.loads(api_page())
        raw_ids = [f["id"] for f in json.loads(raw_page())]
        assert [f["id"] for f in page["features"]] == raw_ids, "pages differ"
        assert len(api_tile()) > 0 and len(raw_tile()) > 0
        for z, tx, ty in low:  # builds the public pre-aggregate once, and warms both workers
            api_tile(z, tx, ty)
            api_tile(z, tx, ty)
        api_page()
        page_raw, page_api = timed(raw_page, repeat), timed(api_page, repeat)
        tile_raw, tile_api = timed(raw_tile, repeat), timed(api_tile, repeat)
        low_times = [
            statistics.median(timed(lambda z=z, tx=tx, ty=ty: api_tile(z, tx, ty), repeat))
            for z, tx, ty in low
        ]

    def ms(times):
        return statistics.median(times) * 1000

    return {
        "page_features": len(page["features"]),
        "page_estimated": page.get("numberMatchedEstimated", False),
        "page_api_ms": ms(page_api),
        "page_raw_ms": ms(page_raw),
        "page_ratio": statistics.median(page_api) / statistics.median(page_raw),
        "tile_api_ms": ms(tile_api),
        "tile_raw_ms": ms(tile_raw),
        "tile_ratio": statistics.median(tile_api) / statistics.median(tile_raw),
        "low_ms": {z: t * 1000 for (z, _x, _y), t in zip(low, low_times, strict=True)},
    }


def report(r: dict) -> list[str]:
    estimated = ", numberMatched estimated" if r["page_estimated"] else ""
    worst_low = max(r["low_ms"].values())
    return [
        f"| OGC API items page of {r['page_features']:,} observations over HTTP{estimated} | "
        f"{r['page_api_ms']:.0f} ms | {r['page_raw_ms']:.0f} ms (json_agg in SQL) | "
        f"{r['page_ratio']:.2f}× | ≤ 1.5× |",
        f"| vector tile z14 at the demo's centre over HTTP | {r['tile_api_ms']:.0f} ms | "
        f"{r['tile_raw_ms']:.0f} ms (ST_AsMVT in SQL) | {r['tile_ratio']:.2f}× | ≤ 1.2× |",
        "| vector tiles z8–12 (heat-map cells), medians over HTTP | "
        + ", ".join(f"z{z} {t:.0f} ms" for z, t in r["low_ms"].items())
        + f" | | | ≤ 100 ms (worst {worst_low:.0f} ms) |",
    ]
