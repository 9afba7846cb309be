# SPDX-License-Identifier: EUPL-1.2
"""The safety plan page for the demo municipality over a million observations, in-process
through the view (no HTTP), cold (empty cache) and warm, and its PDF.

    .venv/bin/python -m bench.plan      (or from bench.run: bench_plan())

Cold: the district picture over the council term so far, a public heat map per theme and
the district choropleth, computed with an empty cache. Warm: the same page again (the
figures cached under the observation table's stamp). PDF: printed by Chromium on a cold
print cache (the page's figures warm), then served again from the cache.
"""

import json
import statistics
import time


def _median_ms(times):
    return statistics.median(times) * 1000


def bench_plan(repeat: int = 3, code: str = "demo") -> dict:
    # Imported here: Django is set up by bench.run, which the caller has imported.
    from django.contrib.auth.models import AnonymousUser
    from django.core.cache import cache
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

    cold, warm = [], []
    for _ in range(repeat):
        cache.clear()
        cold.append(get(plan_page, f"/plan/{code}/")[0])
        warm.append(get(plan_page, f"/plan/{code}/")[0])
    pdf_cold, pdf_warm = [], []
    size = 0
    for _ in range(repeat):
        cache.clear()
        get(plan_page, f"/plan/{code}/")  # the page's figures warm, the print cache empty
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


if __name__ == "__main__":
    import bench.run  # noqa: F401  sets up Django against lyhty_bench

    print(json.dumps(bench_plan(), indent=2))
