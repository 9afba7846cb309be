# SPDX-License-Identifier: EUPL-1.2
"""What the Chromium benches share: a fresh browser context that reaches only our server,
and the time from a navigation's start to the page's performance mark.

bench.map measures the map workspace this way; bench.public_map the public map.
"""

import statistics

FIRST_SCREEN = "lyhty:first-screen"

# The page's bytes and requests until the mark, and how long it took: a page's own
# measure adds to these (MEASURE's body is an object literal's properties).
MEASURE = """() => {
    const mark = performance.getEntriesByName('%(mark)s')[0];
    const [navigation] = performance.getEntriesByType('navigation');
    const resources = performance.getEntriesByType('resource')
        .filter(r => r.startTime <= mark.startTime + 1);
    const api = resources.filter(r => r.name.includes('/api/'));
    return {
        ms: mark.startTime,
        bytes: navigation.transferSize + resources.reduce((s, r) => s + r.transferSize, 0),
        requests: resources.length + 1,
        api_bytes: api.reduce((s, r) => s + r.transferSize, 0),
        api: api.map(r => ({url: r.name, ms: r.responseEnd - r.startTime})),
        %(extra)s
    };
}"""


def only_our_server(context, base_url: str):
    """Every request to another host (the base map's tiles…) is refused."""
    host = base_url.split("//", 1)[1]

    def route(request_route):
        if request_route.request.url.split("//", 1)[1].startswith(host):
            request_route.continue_()
        else:
            request_route.abort()

    context.route("**/*", route)


def time_to_mark(browser, base_url: str, path: str, *, extra: str = "", **context_options):
    """Open base_url + path in a fresh context (nothing cached in the browser) and return
    MEASURE's figures once the page has set the first-screen mark."""
    context = browser.new_context(**context_options)
    only_our_server(context, base_url)
    page = context.new_page()
    page.goto(base_url + path)
    page.wait_for_function(
        f"() => performance.getEntriesByName('{FIRST_SCREEN}').length > 0", timeout=120_000
    )
    figures = page.evaluate(MEASURE % {"mark": FIRST_SCREEN, "extra": extra})
    context.close()
    return figures


def summary(runs: list[dict]) -> dict:
    """Several runs' figures: the first (cold), median and worst time, median kB."""
    times = [run["ms"] for run in runs]
    return {
        "first_ms": times[0],
        "median_ms": statistics.median(times),
        "max_ms": max(times),
        "kb": statistics.median(run["bytes"] for run in runs) / 1024,
        "requests": runs[-1]["requests"],
    }
