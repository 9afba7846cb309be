# SPDX-License-Identifier: EUPL-1.2
"""The public map's first screen over a million observations, in Debian's Chromium.

    .venv/bin/python -m bench.run --only public_map

A resident, not signed in, opens /public/?municipality=demo against gunicorn with
production settings (bench.run.Server), on a 1920 × 1080 screen and on a phone
(360 × 740). The figure is the time from the navigation's start to the performance mark
"lyhty:first-screen", which public.js sets once the clusters of the whole municipality, each
district's open and fixed figures and the published plan's actions are drawn; and the
bytes the page transferred until then (the base map's tiles are refused: they come from
another host). Each run opens a fresh browser context, so nothing is cached in the browser.
The server's cache (walks.cache) is emptied before the first run of each view: the first
run is the cold one, the others are what the next residents get.

The raw reference, in the same run: the clusters the page asks for as one GROUP BY over
the public's observations in the same bbox, straight in PostgreSQL.
"""

import os
import statistics
from urllib.parse import parse_qs, urlsplit

from django.core.cache import cache
from django.db import connection

from api.views.clusters import CLUSTER_PIXELS
from bench.browser import summary, time_to_mark
from walks.models import UNPUBLISHED_MODERATION, Status

PATH = "/public/?municipality=demo"
VIEWS = {
    "screen 1920 × 1080": {"viewport": {"width": 1920, "height": 1080}},
    "phone 360 × 740": {
        "viewport": {"width": 360, "height": 740},
        "is_mobile": True,
        "has_touch": True,
    },
}
BUDGET_MS = 2000  # issue #10

EXTRA = """count: Number(document.getElementById('public-count').dataset.count),
        districts: document.querySelectorAll('#public-districts tbody tr').length,
        clusters: document.querySelectorAll('.public-cluster').length,"""

# The public's clusters (walks.models visible_to_public; api.views.clusters' Mercator cell).
RAW_CLUSTERS = """
SELECT count(*) OVER () AS cells, sum(n) OVER () AS total FROM (
    SELECT floor((ST_X(o.geom) + 180) / 360 * %(cells)s)::int AS col,
           floor((1 - ln(tan(radians(ST_Y(o.geom))) + 1 / cos(radians(ST_Y(o.geom)))) / pi())
                 / 2 * %(cells)s)::int AS row,
           count(*) AS n, avg(ST_X(o.geom)), avg(ST_Y(o.geom))
    FROM walks_observation o JOIN walks_category c ON c.id = o.category_id
    WHERE ST_Intersects(o.geom, ST_MakeEnvelope(%(x0)s, %(y0)s, %(x1)s, %(y1)s, 4326))
      AND o.visibility = 'public' AND NOT c.is_sensitive
      AND o.status <> ALL(%(hidden_status)s) AND o.moderation <> ALL(%(unpublished)s)
    GROUP BY 1, 2
) AS clusters LIMIT 1
"""


def raw_clusters(clusters_url: str) -> tuple[float, int]:
    """(ms, total) of the page's clusters request done as one statement."""
    import time

    query = {k: v[0] for k, v in parse_qs(urlsplit(clusters_url).query).items()}
    x0, y0, x1, y1 = (float(v) for v in query["bbox"].split(","))
    params = {
        "cells": 2 ** int(query["zoom"]) * 256 / CLUSTER_PIXELS,
        "x0": x0,
        "y0": y0,
        "x1": x1,
        "y1": y1,
        "hidden_status": [Status.REJECTED.value, Status.DUPLICATE.value],
        "unpublished": [value.value for value in UNPUBLISHED_MODERATION],
    }
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(RAW_CLUSTERS, params)
        _cells, total = cursor.fetchone()
        return (time.perf_counter() - started) * 1000, int(total)


def bench_public_map(server, port: int, repeat: int = 5) -> list[dict]:
    """One result per view: median, first (cold) and worst time to the first screen."""
    from playwright.sync_api import sync_playwright

    from plans.render import launch_chromium

    # Playwright's sync API runs an event loop in this thread; the ORM calls here (the
    # cache, the raw reference) are synchronous all the same, as in the page tests.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base_url = f"http://127.0.0.1:{port}"
    results = []
    with server(), sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for name, options in VIEWS.items():
            cache.clear()
            runs = [
                time_to_mark(browser, base_url, PATH, extra=EXTRA, locale="fi", **options)
                for _ in range(repeat)
            ]
            clusters_url = next(a["url"] for a in runs[-1]["api"] if "/clusters/" in a["url"])
            raw = [raw_clusters(clusters_url) for _ in range(repeat)]
            assert {total for _ms, total in raw} == {runs[-1]["count"]}, (raw, runs[-1])
            results.append(
                {
                    "view": name,
                    **summary(runs),
                    "count": runs[-1]["count"],
                    "clusters": runs[-1]["clusters"],
                    "districts": runs[-1]["districts"],
                    # The slowest API answer of each warm run, and of the cold one.
                    "api_ms": statistics.median(max(a["ms"] for a in r["api"]) for r in runs[1:]),
                    "api_cold": {urlsplit(a["url"]).path: a["ms"] for a in runs[0]["api"]},
                    "raw_ms": statistics.median(ms for ms, _total in raw),
                    "budget_ms": BUDGET_MS,
                }
            )
        browser.close()
    return results


def report(results: list[dict]) -> list[str]:
    lines = []
    for r in results:
        cold = ", ".join(f"{path} {ms:.0f} ms" for path, ms in r["api_cold"].items())
        lines.append(
            f"| public map first screen, {r['view']}, anonymous ({r['count']:,} public "
            f"observations in {r['clusters']} clusters, {r['districts']} districts; "
            f"{r['requests']} requests, {r['kb']:.0f} kB) | median {r['median_ms']:.0f} ms, "
            f"first (server cache empty) {r['first_ms']:.0f} ms, worst {r['max_ms']:.0f} ms "
            f"| {r['raw_ms']:.0f} ms (the clusters' GROUP BY) | "
            f"{r['median_ms'] / r['raw_ms']:.2f}× | ≤ {r['budget_ms']:,} ms |"
        )
        lines.append(
            f"| (cold run's API answers: {cold}; warm runs' slowest API answer, median: "
            f"{r['api_ms']:.0f} ms) | | | | |"
        )
    return lines
