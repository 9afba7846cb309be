# SPDX-License-Identifier: EUPL-1.2
"""OGC API – Features and vector tiles over HTTP against the raw PostGIS statements.

- a page of 1,000 observations from /ogc/collections/observations/items, as the public,
  against the SQL that builds the same page (json_agg of the same Features, by id): the
  same page asked again (as a client paging through one query does: the statement is
  compiled and its estimate known), and a new query each time (`datetime` ending at
  another instant, far in the future, so the same rows: compiled and EXPLAINed anew);
- the z14 tile at the demo's centre against the raw ST_AsMVT of the same rows;
- tiles at zoom 8–12 (heat-map cells from the pre-aggregates), the first request of each
  (encoded) and the median of the repeated ones (from the cache), over HTTP.

`run` is bench.run: its http, Server, timed and centre.
"""

import json
import math
import statistics

from django.core.cache import cache
from django.db import connection

PUBLIC = (
    "o.visibility = 'public' AND o.status NOT IN ('rejected', 'duplicate')"
    " AND o.moderation NOT IN ('pending', 'rejected') AND NOT c.is_sensitive"
)

# The public Feature of api.serializers.observation_feature, written out by hand.
RAW_PAGE = f"""
SELECT json_agg(f.feature)::text
FROM (
    SELECT json_build_object(
        'type', 'Feature', 'id', o.id,
        'geometry', ST_AsGeoJSON(o.geom, 6)::json,
        'properties', json_build_object(
            'id', o.id, 'uuid', o.uuid, 'category', c.code, 'theme', t.code,
            'status', o.status, 'severity', o.severity,
            'perceived_safety', o.perceived_safety, 'is_positive', o.is_positive,
            'light_condition', NULLIF(o.light_condition, ''), 'description', o.description,
            'proposed_fix', o.proposed_fix, 'district', o.district_id, 'municipality', m.code,
            'walk', o.walk_id, 'source', o.source, 'observed_at', o.observed_at,
            'updated_at', o.updated_at, 'responsible_unit', u.code,
            'stretch', ST_AsGeoJSON(o.stretch, 6)::json,
            'address', NULLIF(concat_ws(', ', concat_ws(' ', a.street, NULLIF(a.number, '')),
                                        NULLIF(a.postcode, '')), ''))
    ) AS feature
    FROM walks_observation o
    JOIN walks_category c ON c.id = o.category_id
    JOIN walks_theme t ON t.id = c.theme_id
    JOIN geo_municipality m ON m.id = o.municipality_id
    LEFT JOIN walks_responsibleunit u ON u.id = o.responsible_unit_id
    LEFT JOIN geo_address a ON a.id = o.address_id
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

PAGE = "/ogc/collections/observations/items?limit=1000"


def tile_at(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    return int((lon + 180) / 360 * n), int(
        (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    )


def paired(run, repeat: int, *functions) -> list[list[float]]:
    """Times of each function, called in turn `repeat` times: other work on the machine
    then slows each alike, where timing one after the other would favour one."""
    times = [[] for _ in functions]
    for _ in range(repeat):
        for function, kept in zip(functions, times, strict=True):
            kept.extend(run.timed(function, 1))
    return times


def bench_ogc(run, repeat: int = 15, municipality: str = "demo") -> dict:
    def get(path):
        status, body = run.http("GET", path)
        assert status == 200, body[:300]
        return body

    def raw_page():
        with connection.cursor() as cursor:
            cursor.execute(RAW_PAGE)
            return cursor.fetchone()[0]

    instants = iter(range(10**6))

    def new_query_page():
        # Another instant each time (seconds past 2100-01-01): a new query, the same rows.
        second = next(instants)
        return get(
            f"{PAGE}&datetime=../2100-01-01T{second // 3600:02d}:{second // 60 % 60:02d}:"
            f"{second % 60:02d}Z"
        )

    lon, lat = run.centre(municipality)
    x, y = tile_at(lon, lat, 14)

    def raw_tile():
        with connection.cursor() as cursor:
            cursor.execute(RAW_TILE, (14, x, y, 14, x, y))
            return bytes(cursor.fetchone()[0] or b"")

    def api_tile(z=14, tx=x, ty=y):
        return get(f"/tiles/observations/{z}/{tx}/{ty}.pbf")

    low = [(z, *tile_at(lon, lat, z)) for z in range(8, 13)]
    cache.clear()  # no tile kept from an earlier run: the first request of each encodes it
    with run.Server():
        page = json.loads(get(PAGE))
        assert page["features"] == json.loads(raw_page()), "the pages differ"
        assert json.loads(new_query_page())["features"] == page["features"]
        # The same features (tests/ogc/test_tiles.py reads them back); the bytes may differ
        # in the order of the tile's key and value tables.
        assert abs(len(api_tile()) - len(raw_tile())) < len(raw_tile()) / 1000, "tiles differ"
        api_tile(7, *tile_at(lon, lat, 7))  # builds the public pre-aggregate
        first = {}
        for z, tx, ty in low:
            first[z] = run.timed(lambda z=z, tx=tx, ty=ty: api_tile(z, tx, ty), 1)[0]
            api_tile(z, tx, ty)  # the other worker
        for _ in range(2):
            get(PAGE)  # both workers have compiled it
        page_raw, page_api, page_new = paired(
            run, repeat, raw_page, lambda: get(PAGE), new_query_page
        )
        tile_raw, tile_api = paired(run, repeat, raw_tile, api_tile)
        low_times = [
            statistics.median(run.timed(lambda z=z, tx=tx, ty=ty: api_tile(z, tx, ty), repeat))
            for z, tx, ty in low
        ]

    raw = statistics.median(page_raw)
    return {
        "page_features": len(page["features"]),
        "page_estimated": page.get("numberMatchedEstimated", False),
        "page_api_ms": run.median_ms(page_api),
        "page_raw_ms": run.median_ms(page_raw),
        "page_ratio": statistics.median(page_api) / raw,
        "page_new_ms": run.median_ms(page_new),
        "page_new_ratio": statistics.median(page_new) / raw,
        "tile_api_ms": run.median_ms(tile_api),
        "tile_raw_ms": run.median_ms(tile_raw),
        "tile_ratio": statistics.median(tile_api) / statistics.median(tile_raw),
        "tile_kb": len(raw_tile()) / 1024,
        "low_ms": {z: t * 1000 for (z, _x, _y), t in zip(low, low_times, strict=True)},
        "low_first_ms": {z: t * 1000 for z, t in first.items()},
    }


def report(r: dict) -> list[str]:
    estimated = ", numberMatched estimated" if r["page_estimated"] else ""
    worst_low = max(r["low_ms"].values())
    return [
        f"| OGC API items page of {r['page_features']:,} observations over HTTP{estimated}, "
        f"the same query again | {r['page_api_ms']:.0f} ms | {r['page_raw_ms']:.0f} ms "
        f"(json_agg in SQL) | {r['page_ratio']:.2f}× | ≤ 1.5× |",
        f"| the same page, a new query each time (compiled and EXPLAINed anew) | "
        f"{r['page_new_ms']:.0f} ms | {r['page_raw_ms']:.0f} ms | {r['page_new_ratio']:.2f}× | |",
        f"| vector tile z14 at the demo's centre over HTTP ({r['tile_kb']:,.0f} kB) | "
        f"{r['tile_api_ms']:.0f} ms | {r['tile_raw_ms']:.0f} ms (ST_AsMVT in SQL) | "
        f"{r['tile_ratio']:.2f}× | ≤ 1.2× |",
        "| vector tiles z8–12 (heat-map cells), medians over HTTP | "
        + ", ".join(f"z{z} {t:.0f} ms" for z, t in r["low_ms"].items())
        + f" | | | ≤ 100 ms (worst {worst_low:.0f} ms) |",
        "| the same tiles, first request (encoded from the built pre-aggregate) | "
        + ", ".join(f"z{z} {t:.0f} ms" for z, t in r["low_first_ms"].items())
        + " | | | |",
    ]
