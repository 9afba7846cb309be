# SPDX-License-Identifier: EUPL-1.2
"""The safety plan page for the demo municipality over a million observations, and its PDF,
over HTTP against gunicorn with production settings, right after an observation changed and
warm; the build of the page's figures in-process; the district picture right after a
change against the raw GROUP BY.

    .venv/bin/python -m bench.run --only plan

After a change: one observation's severity is changed and committed (bench.heatmap's
change_one_observation), which outdates every cached figure (walks.cache's stamp), then
the page is asked. The reader gets the figures made before the change and the worker that
answered makes the new ones after its response (walks.cache.cached_meanwhile); the build
itself (the district picture over the council term so far, a public heat map per theme
summed from the cells kept on write, the district choropleth, the fixes) is timed apart,
in-process. Then the same page at once (while a worker makes the new figures) and, warm,
once they are made. The PDF likewise, after another change.
The process's first page and first print (imports, Chromium's start) are not timed.
"""

import json
import statistics
import time

# Long enough for the new figures and print to be made after a change (about 1 and 5 s
# on two quiet cores), so that "warm" is a reader who finds them made.
SETTLE_SECONDS = 8


def _median_ms(times):
    return statistics.median(times) * 1000


def bench_plan(http, server, repeat: int = 5, code: str = "demo") -> dict:
    # Imported here: Django is set up by bench.run, which the caller has imported.
    from django.utils import translation

    from bench.heatmap import change_one_observation
    from plans.models import SafetyPlan
    from plans.page import compute_figures, plan_period
    from walks.models import Observation

    headers = {"Accept-Language": "fi"}

    def get(path):
        start = time.perf_counter()
        status, body = http("GET", path, headers=headers)
        elapsed = time.perf_counter() - start
        assert status == 200, body[:300]
        return elapsed, body

    page, pdf = f"/plan/{code}/", f"/plan/{code}/plan.pdf"
    cold, during, warm, pdf_cold, pdf_during, pdf_warm = [], [], [], [], [], []
    size = 0
    with server():
        get(page)  # the process's first page: imports, templates, the figures' first build
        get(pdf)  # starts the printer's Chromium
        for _ in range(repeat):
            change_one_observation()
            cold.append(get(page)[0])
            during.append(get(page)[0])  # while a worker makes the new figures
            time.sleep(SETTLE_SECONDS)
            warm.append(get(page)[0])
        for _ in range(repeat):
            change_one_observation()
            elapsed, body = get(pdf)
            pdf_cold.append(elapsed)
            size = len(body)
            pdf_during.append(get(pdf)[0])
            time.sleep(SETTLE_SECONDS)
            pdf_warm.append(get(pdf)[0])
    plan = SafetyPlan.objects.published().filter(municipality__code=code).latest_first().first()
    build = []
    for _ in range(3):
        change_one_observation()
        start = time.perf_counter()
        with translation.override("fi"):
            compute_figures(plan.municipality, plan_period(plan))
        build.append(time.perf_counter() - start)
    return {
        "observations": Observation.objects.filter(municipality__code=code).count(),
        "cold_ms": _median_ms(cold),
        "during_ms": _median_ms(during),
        "warm_ms": _median_ms(warm),
        "build_ms": _median_ms(build),
        "pdf_ms": _median_ms(pdf_cold),
        "pdf_during_ms": _median_ms(pdf_during),
        "pdf_cached_ms": _median_ms(pdf_warm),
        "pdf_kb": size / 1024,
    }


# The raw reference of the district picture: the counted observations of both periods
# grouped by their stored district id, in one statement.
RAW_PICTURE = """
SELECT o.district_id, count(*) FILTER (WHERE o.observed_at >= %(start)s),
       count(*) FILTER (WHERE o.observed_at < %(start)s)
FROM walks_observation o JOIN walks_category c ON c.id = o.category_id
WHERE o.municipality_id = %(municipality)s AND o.visibility = 'public' AND NOT c.is_sensitive
  AND o.status NOT IN ('rejected', 'duplicate') AND o.moderation NOT IN ('pending', 'rejected')
  AND o.observed_at >= %(previous)s AND o.observed_at < %(end)s
GROUP BY o.district_id
"""


def bench_picture(repeat: int = 7, code: str = "demo") -> dict:
    """The public district picture of the last year right after a change (computed: its
    cache is outdated), against RAW_PICTURE."""
    from django.db import connection
    from django.utils import timezone

    from analysis.picture import Period, municipality_picture
    from bench.heatmap import change_one_observation
    from geo.models import Municipality
    from walks.models import Observation, ObservationQuerySet

    municipality = Municipality.objects.get(code=code)
    period = Period.last_year(timezone.localdate())
    moment = ObservationQuerySet._local_moment
    params = {
        "municipality": municipality.pk,
        "start": moment(period.start),
        "previous": moment(period.previous_start),
        "end": moment(period.end),
    }
    raw, ours = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(RAW_PICTURE, params)
            cursor.fetchall()
        raw.append(time.perf_counter() - start)
        change_one_observation()
        start = time.perf_counter()
        municipality_picture(Observation.objects.readable_by(None), municipality, period)
        ours.append(time.perf_counter() - start)
    return {
        "raw_ms": _median_ms(raw),
        "after_change_ms": _median_ms(ours),
        "ratio": statistics.median(ours) / statistics.median(raw),
    }


if __name__ == "__main__":
    import bench.run  # noqa: F401  sets up Django against lyhty_bench

    print(json.dumps(bench_plan(), indent=2))
