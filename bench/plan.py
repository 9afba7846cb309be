# SPDX-License-Identifier: EUPL-1.2
"""The safety plan page for the demo municipality over a million observations, in-process
through the view (no HTTP), right after an observation changed and warm, and its PDF; the
district picture right after a change against the raw GROUP BY.

    .venv/bin/python -m bench.plan      (or from bench.run: bench_plan())

After a change: one observation's severity is changed and committed (bench.heatmap's
change_one_observation), which outdates every cached figure (walks.cache's stamp), then
the page is asked: the district picture over the council term so far, a public heat map
per theme (summed from the cells kept on write) and the district choropleth are
computed. Warm: the same page again. PDF: asked right after another change (figures and
print computed, on the process's running Chromium: plans.render.Printer, started by a
first print that is not timed), then served again from the cache.
"""

import json
import statistics
import time


def _median_ms(times):
    return statistics.median(times) * 1000


def bench_plan(repeat: int = 3, code: str = "demo") -> dict:
    # Imported here: Django is set up by bench.run, which the caller has imported.
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from django.utils import translation

    from plans.views import plan_page, plan_pdf
    from walks.models import Observation

    factory = RequestFactory()

    def get(view, path):
        request = factory.get(path, HTTP_HOST="127.0.0.1")
        request.user = AnonymousUser()
        start = time.perf_counter()
        with translation.override("fi"):
            response = view(request, code)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.content[:300]
        return elapsed, response

    from bench.heatmap import change_one_observation

    cold, warm = [], []
    get(plan_page, f"/plan/{code}/")  # the process's first page: imports, templates
    for _ in range(repeat):
        change_one_observation()
        cold.append(get(plan_page, f"/plan/{code}/")[0])
        warm.append(get(plan_page, f"/plan/{code}/")[0])
    pdf_cold, pdf_warm = [], []
    size = 0
    get(plan_pdf, f"/plan/{code}/plan.pdf")  # starts the printer's Chromium
    for _ in range(repeat):
        change_one_observation()
        elapsed, response = get(plan_pdf, f"/plan/{code}/plan.pdf")
        pdf_cold.append(elapsed)
        size = len(response.content)
        pdf_warm.append(get(plan_pdf, f"/plan/{code}/plan.pdf")[0])
    return {
        "observations": Observation.objects.filter(municipality__code=code).count(),
        "cold_ms": _median_ms(cold),
        "warm_ms": _median_ms(warm),
        "pdf_ms": _median_ms(pdf_cold),
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


def bench_picture(repeat: int = 3, code: str = "demo") -> dict:
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
