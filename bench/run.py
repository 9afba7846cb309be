# SPDX-License-Identifier: EUPL-1.2
"""`make bench`: Lyhty's speed measured against the raw PostGIS or GDAL operation.

Every figure is a ratio against the same result produced directly by PostgreSQL or
ogr2ogr in the same run on the same data, so the budgets in the issues hold on any
machine. The data: the demo municipality plus generated observations up to one million,
in a database of its own (`lyhty_bench` on the same server), made once and reused.

    .venv/bin/python -m bench.run [--only list,bulk,single,export,heatmap,map,logger,ogc,
                                   knowledge,public_map,survey] [--repeat N]
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
TARGET_OBSERVATIONS = 1_000_000
PORT = int(os.environ.get("LYHTY_BENCH_PORT", "8765"))  # another per checkout, side by side
RESULTS = ROOT / "var" / "bench" / "latest.md"


def bench_database_url() -> str:
    base = os.environ.get("DATABASE_URL") or (ROOT / "var" / "database_url").read_text().strip()
    parts = urlsplit(base)
    # LYHTY_BENCH_DATABASE lets two checkouts measure side by side without sharing rows.
    name = os.environ.get("LYHTY_BENCH_DATABASE", "lyhty_bench")
    return urlunsplit(parts._replace(path=f"/{name}"))


os.environ["DATABASE_URL"] = bench_database_url()
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from bench import server  # noqa: E402
from walks.models import Category, Observation  # noqa: E402


def say(message: str):
    print(message, flush=True)


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def median_ms(times) -> float:
    return statistics.median(times) * 1000


# --- data ----------------------------------------------------------------------------


def prepare_data():
    subprocess.run([sys.executable, "scripts/create_database.py"], cwd=ROOT, check=True)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_demo", verbosity=0)
    have = Observation.objects.count()
    if have < TARGET_OBSERVATIONS:
        say(f"Generating {TARGET_OBSERVATIONS - have:,} observations (once; reused later)…")
        call_command(
            "generate_observations",
            count=TARGET_OBSERVATIONS - have,
            municipality="demo",
            seed=2026,
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE walks_observation")
    say(f"{Observation.objects.count():,} observations in lyhty_bench.")


# --- the server ------------------------------------------------------------------------


class Server(server.Server):
    port = PORT


def http(method, path, body=None, headers=None) -> tuple[int, bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


# --- 1. GeoJSON list in a bbox ------------------------------------------------------------

PUBLIC_FEATURES = """
SELECT json_build_object('type', 'FeatureCollection', 'features', json_agg(f.feature))::text
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
            'walk', o.walk_id, 'observed_at', o.observed_at, 'updated_at', o.updated_at,
            'responsible_unit', u.code, 'stretch', ST_AsGeoJSON(o.stretch, 6)::json)
    ) AS feature
    FROM walks_observation o
    JOIN walks_category c ON c.id = o.category_id
    JOIN walks_theme t ON t.id = c.theme_id
    JOIN geo_municipality m ON m.id = o.municipality_id
    LEFT JOIN walks_responsibleunit u ON u.id = o.responsible_unit_id
    WHERE ST_Intersects(o.geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))
      AND o.visibility = 'public' AND o.status NOT IN ('rejected', 'duplicate')
      AND NOT c.is_sensitive
    ORDER BY o.observed_at DESC, o.id DESC
    LIMIT 10000
) AS f
"""


def public_count_in(bbox) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM walks_observation o JOIN walks_category c ON c.id = o.category_id"
            " WHERE ST_Intersects(o.geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))"
            " AND o.visibility = 'public' AND o.status NOT IN ('rejected', 'duplicate')"
            " AND NOT c.is_sensitive",
            bbox,
        )
        return cursor.fetchone()[0]


def centre(code: str = "demo") -> tuple[float, float]:
    """The municipality's centroid, longitude and latitude."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(geom) AS c FROM geo_municipality"
            " WHERE code = %s) AS centre",
            [code],
        )
        return cursor.fetchone()


def bbox_with_features(low=5_000, high=8_000):
    """A square around the demo's centre holding 5,000–8,000 public observations."""
    x, y = centre()
    small, large = 0.0005, 0.2
    for _ in range(40):
        half = (small + large) / 2
        bbox = (x - half * 2, y - half, x + half * 2, y + half)
        count = public_count_in(bbox)
        if low <= count <= high:
            return bbox, count
        small, large = (half, large) if count < low else (small, half)
    raise RuntimeError("no bbox with 5,000–8,000 observations")


def bench_list(repeat: int) -> dict:
    bbox, count = bbox_with_features()
    say(f"List: bbox {', '.join(f'{v:.5f}' for v in bbox)} holds {count:,} public observations.")

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(PUBLIC_FEATURES, bbox)
            return cursor.fetchone()[0]

    raw_features = len(json.loads(raw())["features"])
    query = "bbox=" + ",".join(f"{v:.7f}" for v in bbox) + "&limit=10000"

    def over_http():
        status, body = http("GET", f"/api/v1/observations/?{query}")
        assert status == 200, body[:300]
        return body

    with Server():
        http_features = len(json.loads(over_http())["features"])
        assert http_features == raw_features, (http_features, raw_features)
        raw_times = timed(raw, repeat)
        http_times = timed(over_http, repeat)
    return {
        "features": http_features,
        "raw_ms": median_ms(raw_times),
        "api_ms": median_ms(http_times),
        "ratio": statistics.median(http_times) / statistics.median(raw_times),
    }


# --- 2. Bulk create --------------------------------------------------------------------------


def sample_points(n: int) -> list[tuple[float, float]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(geom), ST_Y(geom) FROM walks_observation TABLESAMPLE SYSTEM (5)"
            " WHERE district_id IS NOT NULL LIMIT %s",
            [n],
        )
        return cursor.fetchall()


def bench_bulk(requests: int = 20, size: int = 500, warm_ups: int = 4) -> dict:
    """A planner's batches of `size` points over HTTP against one set-based INSERT of the
    same rows: the same points, categories, severities and light, each with a UUID made by
    its client, the visibility and positive flag its category gives, the municipality's
    id; districts and addresses by the triggers. The API's own work beyond that INSERT is
    what is measured: reading and checking the Features, placing each point in its
    municipality, the answer."""
    categories = list(
        Observation.objects.model._meta.get_field("category")
        .related_model.objects.filter(active=True)
        .values_list("code", flat=True)
    )
    points = sample_points((requests + warm_ups) * size)
    planner = Observation.objects.model._meta.get_field("reporter").related_model.objects.get(
        username="demo-planner"
    )
    token = Token.objects.get_or_create(user=planner)[0].key
    made = []

    def rows(batch):
        """The batch's rows: (UUID, longitude, latitude, category, severity)."""
        return [
            (str(uuid.uuid4()), lon, lat, categories[i % len(categories)], 1 + i % 5)
            for i, (lon, lat) in enumerate(batch)
        ]

    def body(batch_rows):
        features = []
        for key, lon, lat, category, severity in batch_rows:
            made.append(key)
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {
                        "uuid": key,
                        "category": category,
                        "severity": severity,
                        "municipality": "demo",
                        "light_condition": "dark",
                    },
                }
            )
        return json.dumps({"type": "FeatureCollection", "features": features}).encode()

    # The warm-up requests, so that the workers have served a request, are not timed.
    batches = [rows(points[i * size : (i + 1) * size]) for i in range(requests + warm_ups)]
    bodies = [body(batch_rows) for batch_rows in batches]
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def post(payload):
        status, answer = http("POST", "/api/v1/observations/", payload, headers)
        assert status == 200, answer[:300]
        results = {r["result"] for r in json.loads(answer)}
        assert results == {"created"}, answer[:500]

    raw_ids = []

    def raw_insert(batch_rows):
        """The raw operation: one set-based INSERT of the same rows (new UUIDs, since the
        API stored these), committed as the API's insert is (a rolled-back insert skips
        the commit's WAL flush, which the API cannot)."""
        columns = list(zip(*batch_rows, strict=True))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO walks_observation (uuid, municipality_id, category_id, geom,"
                " severity, light_condition, position_source, is_positive, description,"
                " proposed_fix, status, visibility, observed_at, created_at, updated_at)"
                " SELECT p.uuid, m.id, c.id, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326),"
                " p.severity, 'dark', 'gps', c.is_positive, '', '', 'new',"
                " CASE WHEN c.is_sensitive THEN 'internal' ELSE 'public' END,"
                " now(), now(), now()"
                " FROM unnest(%s::uuid[], %s::float8[], %s::float8[], %s::text[], %s::int[])"
                " AS p(uuid, lon, lat, category, severity)"
                " JOIN geo_municipality m ON m.code = 'demo'"
                " JOIN walks_category c ON c.code = p.category"
                " RETURNING id",
                [[str(uuid.uuid4()) for _ in batch_rows], *map(list, columns[1:])],
            )
            raw_ids.extend(row[0] for row in cursor.fetchall())

    api_times, raw_times = [], []
    try:
        with Server():
            for payload in bodies[:warm_ups]:
                post(payload)
            # Each request, then the raw INSERT of the same rows: taken in turns, so that
            # the other work on a shared machine weighs on both alike.
            for payload, batch_rows in zip(bodies[warm_ups:], batches[warm_ups:], strict=True):
                api_times += timed(lambda payload=payload: post(payload), 1)
                raw_times += timed(lambda batch_rows=batch_rows: raw_insert(batch_rows), 1)
        stored = Observation.objects.filter(uuid__in=made).count()
        assert stored == (requests + warm_ups) * size, stored
    finally:
        Observation.objects.filter(uuid__in=made).delete()
        Observation.objects.filter(pk__in=raw_ids).delete()
    return {
        "requests": requests,
        "size": size,
        "rate": size / statistics.median(api_times),
        "api_ms": median_ms(api_times),
        "raw_ms": median_ms(raw_times),
        "ratio": statistics.median(api_times) / statistics.median(raw_times),
    }


# --- report ----------------------------------------------------------------------------------


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // (1024 * 1024)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
        cursor.execute("SELECT postgis_lib_version()")
        postgis = cursor.fetchone()[0]
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory} GiB, PostgreSQL {postgres}, "
        f"PostGIS {postgis}, Python {platform.python_version()}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--only",
        default="list,bulk,single,export,heatmap,map,plan,logger,ogc,knowledge,public_map,survey",
    )
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    wanted = set(args.only.split(","))

    prepare_data()
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}.",
        "",
        "| measure | Lyhty | raw | ratio | budget |",
        "|---|---|---|---|---|",
    ]
    if "list" in wanted:
        r = bench_list(args.repeat)
        lines.append(
            f"| GeoJSON list, {r['features']:,} observations in a bbox, over HTTP | "
            f"{r['api_ms']:.0f} ms | {r['raw_ms']:.0f} ms (json_agg in SQL) | "
            f"{r['ratio']:.2f}× | ≤ 1.5× |"
        )
    if "single" in wanted:
        from bench.writes import bench_single

        planner = User.objects.get(username="demo-planner")
        r = bench_single(
            http,
            Server,
            sample_points(200),
            list(Category.objects.filter(active=True).values_list("code", flat=True)),
            Token.objects.get_or_create(user=planner)[0].key,
        )
        lines.append(
            f"| one observation created over HTTP (a Feature, 201), {r['requests']} in a row | "
            f"median {r['api_ms']:.1f} ms | {r['raw_ms']:.1f} ms (one INSERT of 1) | "
            f"{r['ratio']:.2f}× | ≤ 1.5× its cost before issue #14 |"
        )
    if "bulk" in wanted:
        r = bench_bulk()
        lines.append(
            f"| bulk create, {r['requests']} × {r['size']} over HTTP | median {r['api_ms']:.0f} "
            f"ms a request, {r['rate']:,.0f} observations/s | {r['raw_ms']:.0f} ms (one INSERT "
            f"of {r['size']}, committed) | {r['ratio']:.2f}× | ≤ 1.5× (issue #14) |"
        )
    if "export" in wanted:
        from bench.export import bench_export

        for r in bench_export(http, Server):
            lines.append(
                f"| export {r['count']:,} observations to GeoPackage, EPSG:{r['srid']} | "
                f"{r['api_s']:.1f} s, peak {r['peak_mb']:.0f} MB | {r['raw_s']:.1f} s (ogr2ogr) | "
                f"{r['ratio']:.2f}× | ≤ 1.5× |"
            )
    if "heatmap" in wanted:
        from bench.heatmap import bench_heatmap

        r = bench_heatmap()
        lines.append(
            f"| heat map, public 250 m grid over the municipality ({r['features']:,} cells), "
            f"right after a change (50 m cells kept on write), in-process | "
            f"{r['cold_ms']:.0f} ms | "
            f"{r['raw_ms']:.0f} ms (one GROUP BY) | {r['ratio']:.2f}× | ≤ 1.5× |"
        )
        lines.append(
            f"| heat map, the same view repeated | {r['repeated_ms']:.0f} ms | | | < 300 ms |"
        )
        lines.append(
            f"| heat map, a planner's {r['pans']} pans of a {r['pan_cell']} m view (first "
            f"view: {r['first_planner_ms']:.0f} ms) | "
            f"median {r['panned_ms']:.0f} ms, worst {r['panned_max_ms']:.0f} ms | | | < 300 ms |"
        )
        lines.append(
            f"| heat map, the same pans filtered to one theme (first view, which builds its "
            f"pre-aggregate: {r['first_filtered_ms']:.0f} ms) | median {r['filtered_ms']:.0f} "
            f"ms, worst {r['filtered_max_ms']:.0f} ms | | | < 300 ms |"
        )
    if "map" in wanted:
        from bench.map import bench_map

        for r in bench_map(Server, PORT):
            lines.append(
                f"| map workspace first screen, {r['view']} ({r['requests']} requests, "
                f"{r['kb']:.0f} kB) | median {r['median_ms']:.0f} ms, first {r['first_ms']:.0f} "
                f"ms, worst {r['max_ms']:.0f} ms | | | ≤ {r['budget_ms']:,} ms |"
            )
    if "plan" in wanted:
        from bench.plan import bench_plan

        r = bench_plan(http, Server)
        lines.append(
            f"| safety plan page for the demo ({r['observations']:,} observations), over HTTP "
            f"| right after a change {r['cold_ms']:.0f} ms, at once again "
            f"{r['during_ms']:.0f} ms, warm {r['warm_ms']:.0f} ms | | | ≤ 1,500 / ≤ 100 ms |"
        )
        lines.append(
            f"| the plan page's figures made anew after a change (after the response, "
            f"in-process) | {r['build_ms']:.0f} ms | | | |"
        )
        lines.append(
            f"| safety plan PDF ({r['pdf_kb']:.0f} kB, Chromium kept running), over HTTP | "
            f"right after a change {r['pdf_ms']:.0f} ms, at once again "
            f"{r['pdf_during_ms']:.0f} ms, once printed {r['pdf_cached_ms']:.0f} ms | | | "
            f"≤ 2,000 ms |"
        )
        from bench.heatmap import bench_write
        from bench.plan import bench_picture

        r = bench_picture()
        lines.append(
            f"| district picture, public, last year, right after a change, in-process | "
            f"{r['after_change_ms']:.0f} ms | {r['raw_ms']:.0f} ms (GROUP BY district_id) | "
            f"{r['ratio']:.2f}× | ≤ 1.5× |"
        )
        w = bench_write()
        for what, label in [
            ("insert_one", "one observation inserted"),
            ("change_status", "one status changed"),
            ("insert_500", "500 observations in one INSERT"),
        ]:
            # What the triggers add to the bare statement; issue #14's budget is for the
            # write as the service makes it (the HTTP rows above, docs/benchmarks.md).
            lines.append(
                f"| write: {label} (the bare statement), with the cells kept on write |"
                f" {w[what + '_with_ms']:.1f} ms |"
                f" {w[what + '_without_ms']:.1f} ms (triggers disabled) | "
                f"{w[what + '_with_ms'] / w[what + '_without_ms']:.2f}× | — |"
            )
    if "logger" in wanted:
        from bench.logger import bench_logger, report

        lines.extend(report(bench_logger()))
    if "ogc" in wanted:
        from bench.ogc import bench_ogc, report

        lines.extend(report(bench_ogc(sys.modules[__name__], args.repeat)))
    if "knowledge" in wanted:
        from bench.knowledge import report

        lines.extend(report(args.repeat))
    if "public_map" in wanted:
        from bench.public_map import bench_public_map, report

        lines.extend(report(bench_public_map(Server, PORT)))
    if "survey" in wanted:
        from bench.survey import bench_survey, report

        lines.extend(report(bench_survey(args.repeat)))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    say("\n".join(["", *lines, "", f"(written to {RESULTS.relative_to(ROOT)})"]))


if __name__ == "__main__":
    main()
