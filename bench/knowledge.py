# SPDX-License-Identifier: EUPL-1.2
"""Indicator series of the knowledge base over a million observations and 100,000 incidents,
against the raw GROUP BY that gives the same numbers, in-process.

    .venv/bin/python -m bench.knowledge      (or from bench.run: bench_knowledge())

The incidents are generated once inside the bench database (source BENCH_SOURCE), from a
fixed seed: 100,000 traffic accidents at random points of the demo municipality on random
days of 2016–2025; a later run finds them and reuses them. Measured, each the median of
`repeat` runs with Lyhty and the raw statement taking turns:

- observations: "lighting problems per year" over the whole municipality
  (knowledge.indicators.series, walks/filters.py's theme filter), against one GROUP BY of
  the year in local time over the observations of the theme that count;
- incidents: traffic accidents per year over the municipality, against one GROUP BY year.

Both answers are compared before anything is timed.
"""

import json
import statistics
import time

BENCH_SOURCE = "bench-generated"
INCIDENTS = 100_000
CODE = "demo"

# Reproducible: setseed() fixes random() for the rest of the statement's session, and the
# candidates are drawn in generate_series order; those inside the municipality are kept.
GENERATE = """
SELECT setseed(0.2026);
INSERT INTO knowledge_incident (municipality_id, kind, source, date, year, count, geom, attributes)
SELECT m.id, 'traffic_accident', %(source)s, g.day, extract(year FROM g.day)::int, 1, g.point,
       '{}'::jsonb
FROM geo_municipality m,
LATERAL (
    SELECT n,
           ST_SetSRID(ST_MakePoint(
               ST_XMin(m.geom) + random() * (ST_XMax(m.geom) - ST_XMin(m.geom)),
               ST_YMin(m.geom) + random() * (ST_YMax(m.geom) - ST_YMin(m.geom))), 4326) AS point,
           date '2016-01-01' + (random() * 3652)::int AS day
    FROM generate_series(1, %(candidates)s) AS n
) g
WHERE m.code = %(code)s AND ST_Covers(m.geom, g.point)
ORDER BY g.n
LIMIT %(count)s
"""

RAW_OBSERVATIONS = """
SELECT extract(year FROM o.observed_at AT TIME ZONE %(tz)s)::int AS year, count(*)
FROM walks_observation o
JOIN walks_category c ON c.id = o.category_id
JOIN walks_theme t ON t.id = c.theme_id
WHERE o.municipality_id = %(municipality)s
  AND o.status NOT IN ('duplicate', 'rejected')
  AND t.code = %(theme)s
GROUP BY 1
ORDER BY 1
"""

RAW_INCIDENTS = """
SELECT year, sum(count)
FROM knowledge_incident
WHERE municipality_id = %(municipality)s AND kind = 'traffic_accident'
GROUP BY year
ORDER BY year
"""


def _median_ms(times):
    return statistics.median(times) * 1000


def ensure_incidents(municipality) -> int:
    from django.db import connection, transaction

    from knowledge.models import Incident

    rows = Incident.objects.in_municipality(municipality).from_source(BENCH_SOURCE)
    if rows.count() != INCIDENTS:
        with transaction.atomic(), connection.cursor() as cursor:
            rows.delete()
            cursor.execute(
                GENERATE,
                {"source": BENCH_SOURCE, "candidates": INCIDENTS * 3, "code": CODE,
                 "count": INCIDENTS},
            )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE knowledge_incident")
    return rows.count()


def raw(sql, params) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {year: value for year, value in cursor.fetchall()}


def measure(lyhty, reference, repeat):
    """Median seconds of each, taking turns so that neither always finds the cache warm."""
    lyhty(), reference()  # both warm once
    ours, theirs = [], []
    for _ in range(repeat):
        for function, times in ((lyhty, ours), (reference, theirs)):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
    return _median_ms(ours), _median_ms(theirs)


def bench_knowledge(repeat: int = 9) -> list[dict]:
    from django.conf import settings

    from geo.models import Municipality
    from knowledge.indicators import series
    from knowledge.models import Indicator
    from walks.models import Observation

    municipality = Municipality.objects.get(code=CODE)
    incidents = ensure_incidents(municipality)
    observations = Observation.objects.in_municipality(municipality).count()
    lighting = Indicator(
        municipality=municipality,
        name="Lighting problems",
        kind="observations",
        filters={"theme": "lighting"},
    )
    accidents = Indicator(
        municipality=municipality,
        name="Traffic accidents",
        kind="incidents",
        incident_kind="traffic_accident",
    )
    params = {"municipality": municipality.pk, "tz": settings.TIME_ZONE, "theme": "lighting"}
    results = []
    for name, indicator, sql, rows in [
        ("observations", lighting, RAW_OBSERVATIONS, observations),
        ("incidents", accidents, RAW_INCIDENTS, incidents),
    ]:
        ours = series(indicator)
        theirs = raw(sql, params)
        # The series fills the years between with 0; the GROUP BY has no row for them.
        assert {y: v for y, v in ours.items() if v} == theirs, (name, ours, theirs)
        lyhty_ms, raw_ms = measure(
            lambda indicator=indicator: series(indicator),
            lambda sql=sql: raw(sql, params),
            repeat,
        )
        results.append(
            {
                "measure": name,
                "rows": rows,
                "years": len(ours),
                "lyhty_ms": lyhty_ms,
                "raw_ms": raw_ms,
                "ratio": lyhty_ms / raw_ms,
            }
        )
    return results


def report(repeat: int) -> list[str]:
    """The rows of bench.run's table."""
    return [
        f"| indicator series, {r['measure']} ({r['rows']:,} rows, {r['years']} years), "
        f"in-process | {r['lyhty_ms']:.0f} ms | {r['raw_ms']:.0f} ms (one GROUP BY) | "
        f"{r['ratio']:.2f}× | ≤ 1.5× |"
        for r in bench_knowledge(repeat)
    ]


if __name__ == "__main__":
    import bench.run  # noqa: F401  sets up Django against the bench database

    print(json.dumps(bench_knowledge(), indent=2))
