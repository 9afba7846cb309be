# SPDX-License-Identifier: EUPL-1.2
"""How light the phone logger is: its own bytes, and how soon it is readable on a slow phone.

    .venv/bin/python -m bench.logger      (the database of DATABASE_URL; needs a municipality)
    .venv/bin/python -m bench.run --only logger     (the same on lyhty_bench)

Bytes: the page's own HTML, JavaScript and CSS (the manifest and service worker included;
Leaflet and the map tiles excluded), each as loaded in Chromium and gzip-compressed at level
9 as whitenoise's CompressedManifestStaticFilesStorage stores the static files in production.
The HTML is dynamic: Django does not compress it, so the budget counts it uncompressed.

Time to readable: a cold load of the logging screen (joined already) in Chromium with the
network at 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip and the CPU slowed 4× (CDP
Network.emulateNetworkConditions and Emulation.setCPUThrottlingRate): first contentful
paint, and the moment the category buttons are on screen. The server is gunicorn with
production settings (bench.server): WhiteNoise serves the collected, compressed files.
"""

import contextlib
import gzip
import os
import statistics
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
PORT = 8766
CODE = "BENCHLOG"
MBIT = 1_000_000 / 8  # bytes per second
SLOW_PHONE = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * MBIT,
    "uploadThroughput": 0.75 * MBIT,
}
OWN_TYPES = ("document", "script", "stylesheet", "manifest", "other", "fetch")


def bench_walk():
    """The walk the bench opens (made once in the database's first municipality)."""
    from django.contrib.gis.geos import LineString
    from django.utils import timezone

    from geo.models import Municipality
    from walks.models import SafetyWalk, WalkParticipant

    walk = SafetyWalk.objects.filter(join_code=CODE).first()
    if walk is None:
        municipality = Municipality.objects.order_by("id").first()
        if municipality is None:
            raise SystemExit("No municipality in this database: run `manage.py load_demo`.")
        centre = municipality.geom.point_on_surface
        walk = SafetyWalk.objects.create(
            municipality=municipality,
            title="Bench walk",
            starts_at=timezone.now() - timedelta(hours=1),
            ends_at=timezone.now() + timedelta(days=3650),
            group="residents",
            join_code=CODE,
            route=LineString((centre.x, centre.y), (centre.x + 0.005, centre.y + 0.003), srid=4326),
        )
    participant = WalkParticipant.objects.create(walk=walk, group="residents")
    return walk, participant


def is_own(url: str, base: str) -> bool:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != base:
        return False  # tiles and anything else off-site
    return "/static/leaflet/" not in parts.path and "/api/" not in parts.path


def open_logging_screen(browser, base, walk, participant, *, throttle):
    """A fresh phone that has joined already; → (page, cdp session, start time)."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="fi",
        geolocation={"latitude": walk.route.coords[0][1], "longitude": walk.route.coords[0][0]},
        permissions=["geolocation"],
        service_workers="block",  # a first visit: nothing cached
    )
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
    key = f"lyhty:walk:{CODE}"
    value = f'{{"key": "{participant.key}", "walk": {walk.pk}}}'
    context.add_init_script(f"localStorage.setItem({key!r}, {value!r});")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if throttle:
        cdp.send("Network.emulateNetworkConditions", SLOW_PHONE)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    return context, page


def own_bytes(browser, base, walk, participant) -> dict:
    context, page = open_logging_screen(browser, base, walk, participant, throttle=False)
    bodies = {}

    def keep(response):
        if is_own(response.url, base) and response.request.resource_type in OWN_TYPES:
            # A redirect or an aborted load has no body.
            with contextlib.suppress(Exception):
                bodies[response.url] = response.body()

    page.on("response", keep)
    page.goto(f"{base}/walk/join/{CODE}/")
    page.locator("[data-category]").first.wait_for()
    for extra in ("/walk/sw.js", "/walk/manifest.webmanifest"):
        bodies.setdefault(base + extra, page.request.get(base + extra).body())
    context.close()
    files = []
    for url, body in sorted(bodies.items()):
        path = urlsplit(url).path
        if not (path.endswith((".js", ".css", ".webmanifest", "/")) or "/walk/join/" in path):
            continue
        files.append((path, len(body), len(gzip.compress(body, compresslevel=9))))
    html = sum(raw for path, raw, _gz in files if path.endswith("/"))
    html_gz = sum(gz for path, _raw, gz in files if path.endswith("/"))
    static_gz = sum(gz for path, _raw, gz in files if not path.endswith("/"))
    return {
        "files": files,
        "raw_kb": sum(raw for _p, raw, _gz in files) / 1024,
        "gzip_kb": (html_gz + static_gz) / 1024,
        "budget_kb": (html + static_gz) / 1024,  # the HTML as Django sends it
    }


def time_to_readable(browser, base, walk, participant, runs: int) -> dict:
    fcp, readable = [], []
    for _ in range(runs):
        context, page = open_logging_screen(browser, base, walk, participant, throttle=True)
        page.goto(f"{base}/walk/join/{CODE}/", wait_until="commit")
        page.locator("[data-category]").first.wait_for(state="visible", timeout=60_000)
        readable.append(page.evaluate("performance.now()"))
        fcp.append(
            page.evaluate(
                "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN"
            )
        )
        context.close()
    return {
        "fcp_ms": statistics.median(fcp),
        "readable_ms": statistics.median(readable),
        "readable_max_ms": max(readable),
        "runs": runs,
    }


def bench_logger(runs: int = 5) -> dict:
    """Both figures, against the database Django is set up with (bench.run: lyhty_bench)."""
    from playwright.sync_api import sync_playwright

    from bench.server import Server
    from plans.render import launch_chromium

    walk, participant = bench_walk()
    try:
        with Server(PORT) as server, sync_playwright() as playwright:
            base = server.url
            browser = launch_chromium(playwright)
            result = own_bytes(browser, base, walk, participant)
            result |= time_to_readable(browser, base, walk, participant, runs)
            browser.close()
    finally:
        participant.delete()
    return result


def report(r: dict) -> list[str]:
    lines = [
        f"| phone logger's own HTML + JS + CSS (gzip -9; HTML as sent) | "
        f"{r['budget_kb']:.1f} KB ({r['gzip_kb']:.1f} KB all gzipped, {r['raw_kb']:.1f} KB "
        f"raw) | | | ≤ 150 KB |",
        f"| phone logger readable, 1.6 Mbit/s, 150 ms RTT, CPU 4× slower (median of "
        f"{r['runs']}) | first paint {r['fcp_ms']:.0f} ms, category buttons "
        f"{r['readable_ms']:.0f} ms (worst {r['readable_max_ms']:.0f} ms) | | | ≤ 3 s |",
    ]
    return lines


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    r = bench_logger()
    for path, raw, gz in r["files"]:
        print(f"  {path}: {raw:,} bytes, {gz:,} gzipped")
    print("\n".join(report(r)))


if __name__ == "__main__":
    main()
