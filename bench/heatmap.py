# SPDX-License-Identifier: EUPL-1.2
"""The heat map over a million observations, in-process through the view (no HTTP), against
the same cells written as one raw SQL statement.

    .venv/bin/python -m bench.heatmap      (or from bench.run: bench_heatmap())

Figures: the public's 250 m grid over the whole demo municipality right after an
observation changed (the public's 50 m cells are kept current on write: the request sums
them), and the raw statement; the same view again; a planner's 100 m view at zoom 14
panned a quarter of a screen at a time along two rows, without filters (the staff's cells,
kept on write) and filtered to one theme (the first view builds its pre-aggregate and is
reported apart). bench_write: what keeping the cells on write adds to a write.
"""

import json
import statistics
import time

from django.db import connection

# The same cells as the public's heat map, by hand: what PostGIS alone costs.
RAW = """
SELECT json_build_object('type', 'FeatureCollection', 'features', json_agg(json_build_object(
    'type', 'Feature', 'id', cells.i || ':' || cells.j,
    'geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(ST_Transform(ST_MakeEnvelope(
        cells.i * %(cell)s::float8, cells.j * %(cell)s::float8,
        (cells.i + 1) * %(cell)s::float8, (cells.j + 1) * %(cell)s::float8, %(srid)s), 4326)),
        6)::json,
    'properties', json_build_object('count', cells.n, 'weight', cells.weight,
        'density', round((cells.weight / (%(cell)s::float8 * %(cell)s / 1e6))::numeric, 3)))))::text
FROM (
    SELECT floor(ST_X(p) / %(cell)s)::int AS i, floor(ST_Y(p) / %(cell)s)::int AS j,
           count(*) AS n, sum(w) AS weight
    FROM (
        SELECT ST_Transform(o.geom, %(srid)s) AS p, coalesce(o.severity, 3) AS w
        FROM walks_observation o JOIN walks_category c ON c.id = o.category_id
        WHERE o.municipality_id = %(municipality)s AND o.visibility = 'public'
          AND o.status NOT IN ('rejected', 'duplicate') AND NOT c.is_sensitive
    ) AS projected
    GROUP BY 1, 2
    HAVING count(*) >= 3
) AS cells
"""


def _median_ms(times):
    return statistics.median(times) * 1000


def bench_heatmap(repeat: int = 5, code: str = "demo") -> dict:
    # Imported here: Django is set up by bench.run, which the caller has imported.
    from django.contrib.auth.models import AnonymousUser
    from rest_framework.test import APIRequestFactory, force_authenticate

    from analysis.heatmap import forget_heat_cells
    from api.views.heatmap import HeatmapView
    from geo.models import Municipality

    municipality = Municipality.objects.get(code=code)
    factory = APIRequestFactory()
    view = HeatmapView.as_view()
    planner = municipality.observations.model._meta.get_field("reporter").related_model.objects.get(
        username="demo-planner"
    )

    def get(params, user=None):
        request = factory.get("/api/v1/heatmap/", params)
        force_authenticate(request, user=user or AnonymousUser())
        start = time.perf_counter()
        response = view(request)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.content[:300]
        return elapsed, json.loads(response.content)

    whole = {"municipality": code, "cell": 250}

    def raw():
        with connection.cursor() as cursor:
            params = {"cell": 250, "srid": municipality.national_srid}
            cursor.execute(RAW, {**params, "municipality": municipality.pk})
            return cursor.fetchone()[0]

    raw_features = len(json.loads(raw())["features"])
    raw_times, cold_times, warm_times = [], [], []
    for _ in range(repeat):
        start = time.perf_counter()
        raw()
        raw_times.append(time.perf_counter() - start)
        change_one_observation()
        elapsed, answer = get(whole)
        cold_times.append(elapsed)
        warm_times.append(get(whole)[0])
    assert len(answer["features"]) == raw_features, (len(answer["features"]), raw_features)

    # Zoom 14 on a 1600 × 900 px screen: about 9.6 × 5.4 km at 61.5° N (4.66 m a pixel),
    # panned east by a quarter of a screen each time, along two rows.
    x0, y0, x1, y1 = municipality.geom.extent
    width, height = 1600 * 4.66 / (111_320 * 0.477), 900 * 4.66 / 111_320

    def pans(filters):
        first, times = None, []
        for bottom in (y0 + 0.02, y0 + 0.02 + height / 2):
            left = x0
            while left + width <= x1 + width / 2:
                bbox = f"{left},{bottom},{left + width},{bottom + height}"
                params = {"municipality": code, "zoom": 14, "bbox": bbox, **filters}
                elapsed, answer = get(params, planner)
                if first is None:
                    first = elapsed
                else:
                    times.append(elapsed)
                left += width / 4
        return first, times, answer["cell"]

    forget_heat_cells(municipality)
    first_planner, pan_times, pan_cell = pans({})
    first_filtered, filtered_times, _cell = pans({"theme": "lighting"})
    return {
        "features": raw_features,
        "raw_ms": _median_ms(raw_times),
        "cold_ms": _median_ms(cold_times),
        "ratio": statistics.median(cold_times) / statistics.median(raw_times),
        "repeated_ms": _median_ms(warm_times),
        "first_planner_ms": first_planner * 1000,
        "panned_ms": _median_ms(pan_times),
        "panned_max_ms": max(pan_times) * 1000,
        "pans": len(pan_times),
        "pan_cell": pan_cell,
        "first_filtered_ms": first_filtered * 1000,
        "filtered_ms": _median_ms(filtered_times),
        "filtered_max_ms": max(filtered_times) * 1000,
    }


if __name__ == "__main__":
    import bench.run  # noqa: F401  sets up Django against lyhty_bench

    print(json.dumps(bench_heatmap(), indent=2))


def change_one_observation():
    """A planner's everyday write, committed: one public observation's severity changes, so
    every figure built from the observations is outdated (the stamp moves)."""
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE walks_observation SET severity = 1 + mod(coalesce(severity, 3), 5),"
            " updated_at = now() WHERE id = (SELECT id FROM walks_observation"
            " WHERE visibility = 'public' AND status = 'new' ORDER BY random() LIMIT 1)"
        )
        # The statistics counters in the stamp (walks.cache) see the change at the commit,
        # not up to 10 s later: every request after it reads the same stamp.
        cursor.execute("SELECT pg_stat_force_next_flush()")


# Observations (one per point) as the API's write path stores them (districts by their
# trigger). Placeholders: longitudes, latitudes.
INSERT_ONE = """
INSERT INTO walks_observation (uuid, municipality_id, category_id, geom, severity,
    light_condition, position_source, is_positive, description, proposed_fix, status,
    visibility, observed_at, created_at, updated_at, source, moderation, hidden_text,
    support_count)
SELECT gen_random_uuid(), m.id, c.id, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326), 3, 'dark',
    'gps', false, '', '', 'new', 'public', now(), now(), now(), 'staff', 'none', '', 0
FROM unnest(%s::float8[], %s::float8[]) AS p(lon, lat)
JOIN geo_municipality m ON m.code = 'demo' JOIN walks_category c ON c.code = 'lamp_out'
"""


def bench_write(repeat: int = 30) -> dict:
    """The cost the heat-cell triggers add to a write: one observation inserted, one
    status changed, and one statement inserting 500, each with the triggers and with them
    disabled (ALTER TABLE … DISABLE TRIGGER, in the same transaction), all rolled back."""
    from django.db import transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(geom), ST_Y(geom) FROM walks_observation TABLESAMPLE SYSTEM (1) LIMIT 500"
        )
        points = cursor.fetchall()
    xs, ys = [p[0] for p in points], [p[1] for p in points]

    def insert_one(cursor, n):
        cursor.execute(INSERT_ONE, [[xs[n % len(xs)]], [ys[n % len(ys)]]])

    def insert_many(cursor, _n):
        cursor.execute(INSERT_ONE, [xs, ys])

    def change_status(cursor, n):
        cursor.execute(
            "UPDATE walks_observation SET status = CASE status WHEN 'new' THEN 'confirmed'"
            " ELSE 'new' END, updated_at = now() WHERE id = (SELECT id FROM walks_observation"
            " WHERE status IN ('new', 'confirmed') OFFSET %s LIMIT 1)",
            [n * 7],
        )

    def timed(write, triggers: bool, times: int) -> float:
        spent = []
        with transaction.atomic(), connection.cursor() as cursor:
            if not triggers:
                for name in ("heat_cells_on_insert", "heat_cells_on_update"):
                    cursor.execute(f"ALTER TABLE walks_observation DISABLE TRIGGER {name}")
            for n in range(times):
                start = time.perf_counter()
                write(cursor, n)
                spent.append(time.perf_counter() - start)
            transaction.set_rollback(True)
        return statistics.median(spent) * 1000

    results = {}
    for name, write, times in [
        ("insert_one", insert_one, repeat),
        ("change_status", change_status, repeat),
        ("insert_500", insert_many, max(repeat // 5, 3)),
    ]:
        # Alternating, so that both see the same load.
        pairs = [(timed(write, False, times), timed(write, True, times)) for _ in range(2)]
        results[f"{name}_without_ms"] = min(pair[0] for pair in pairs)
        results[f"{name}_with_ms"] = min(pair[1] for pair in pairs)
    return results
