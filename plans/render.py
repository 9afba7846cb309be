# SPDX-License-Identifier: EUPL-1.2
"""PDF and PNG of a page, printed by the same renderer as the browser: Debian's Chromium,
driven by Playwright's Python API.

The page's HTML is made by Django in the request, then handed to Chromium together with
the static files it needs, all from this process: Chromium opens a made-up address whose
every request is answered here (the document, /static/ files); only base-map tiles may go
out (settings.PRINT_BASEMAP), and everything else is refused. So printing needs no second
request to our own server (no deadlock with one gunicorn worker, no cookies to forward),
and folium's maps come out as they are seen on screen.

Chromium runs in a thread of its own: Playwright's sync API must not share a thread with
a running event loop (the test suite's own browser, an ASGI server). It is started by the
first print and kept running for the next ones (Printer): a print costs the page's load
and Chromium's printing, not a browser's start.
"""

import atexit
import contextlib
import mimetypes
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils._os import safe_join

# Debian's Chromium as this machine allows it to run: no sandbox as root, no GPU, and no
# background calls home (refused here, and slow). Tests and benches launch it the same way.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A name no DNS answers: every request to it is served from this process.
ORIGIN = "http://lyhty.print"
VIEWPORT = {"width": 1200, "height": 900}
# Waiting for base-map tiles ends after this long; the maps are printed with what came.
TILES_TIMEOUT_MS = 15_000


class RenderError(RuntimeError):
    pass


@dataclass
class Rendered:
    pdf: bytes | None = None
    pngs: dict[str, bytes] = field(default_factory=dict)


def static_file(path: str) -> Path | None:
    """The file behind a /static/ URL path: found by the finders, or collected."""
    relative = path.removeprefix("/" + settings.STATIC_URL.strip("/") + "/")
    found = finders.find(relative)
    if found:
        return Path(found)
    try:
        collected = Path(safe_join(settings.STATIC_ROOT, relative))
    except Exception:  # noqa: BLE001  a path outside STATIC_ROOT
        return None
    return collected if collected.is_file() else None


def _serve(document_path: str, html: str, tile_host: str | None):
    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"

    def handle(route):
        url = urlsplit(route.request.url)
        if f"{url.scheme}://{url.netloc}" == ORIGIN:
            if url.path == urlsplit(document_path).path:
                return route.fulfill(body=html, content_type="text/html; charset=utf-8")
            if url.path.startswith(static_prefix):
                found = static_file(url.path)
                if found is not None:
                    kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
                    return route.fulfill(body=found.read_bytes(), content_type=kind)
            return route.fulfill(status=404, body="")
        if tile_host and url.netloc == tile_host:
            return route.continue_()
        return route.abort()

    return handle


def launch_chromium(playwright):
    """Debian's Chromium (settings.CHROMIUM_PATH) through Playwright; never a downloaded one."""
    path = Path(settings.CHROMIUM_PATH)
    if not path.exists():
        raise RenderError(f"{path} is missing: install Debian's chromium (make run does).")
    return playwright.chromium.launch(executable_path=str(path), args=CHROMIUM_ARGS)


class Printer:
    """One Chromium kept running for every print of this process, in a thread of its own
    (Playwright's sync objects belong to the thread that made them): starting Chromium
    costs about a second, a print on a running one a fraction of that.

    Each print gets a fresh browser context (nothing carries over from one print to the
    next) and closes it. A browser found dead (crashed, killed) is started again and the
    print tried once more; a forked process (a gunicorn worker) starts its own."""

    def __init__(self):
        self.lock = threading.Lock()
        self.worker = None
        self.pid = None
        self.playwright = None
        self.browser = None

    def submit(self, job, *args):
        with self.lock:
            if self.pid != os.getpid():  # a fresh process: nothing of the parent's is usable
                self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="printer")
                self.pid, self.playwright, self.browser = os.getpid(), None, None
            return self.worker.submit(job, *args)

    def running_browser(self):
        """The browser, started (again) when there is none or it has died."""
        from playwright.sync_api import sync_playwright

        if self.browser is not None and self.browser.is_connected():
            return self.browser
        self.stop()
        self.playwright = sync_playwright().start()
        self.browser = launch_chromium(self.playwright)
        return self.browser

    def stop(self):
        """Close the browser and Playwright, whatever state they are in."""
        from playwright.sync_api import Error

        for close in (
            self.browser and self.browser.close,
            self.playwright and self.playwright.stop,
        ):
            if close:
                with contextlib.suppress(Error, OSError):
                    close()
        self.browser = self.playwright = None

    def print_page(self, *job) -> Rendered:
        """In the printer's thread: print once, and once more on a new browser if this
        one turns out dead. `job` is _print's arguments after the browser."""
        from playwright.sync_api import Error

        try:
            try:
                return _print(self.running_browser(), *job)
            except Error:
                if self.browser is not None and self.browser.is_connected():
                    raise
                return _print(self.running_browser(), *job)
        except Error as error:
            raise RenderError(str(error)) from error


PRINTER = Printer()


@atexit.register
def _stop_printer():
    if PRINTER.pid == os.getpid():
        with contextlib.suppress(Exception):  # the interpreter is going: best effort
            PRINTER.submit(PRINTER.stop).result(timeout=10)


def _print(browser, document_path, html, element_ids, pdf, tile_host) -> Rendered:
    from playwright.sync_api import Error

    result = Rendered()
    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.route("**/*", _serve(document_path, html, tile_host))
        page = context.new_page()
        page.goto(ORIGIN + document_path, wait_until="load")
        with contextlib.suppress(Error):  # slow tiles: print what has come
            page.wait_for_load_state("networkidle", timeout=TILES_TIMEOUT_MS)
        for element_id in element_ids:
            result.pngs[element_id] = page.locator(f"#{element_id}").screenshot()
        if pdf:
            page.emulate_media(media="print")
            result.pdf = page.pdf(
                format="A4",
                print_background=True,
                margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"},
            )
    finally:
        with contextlib.suppress(Error):
            context.close()
    return result


def render(document_path: str, html: str, *, element_ids=(), pdf=True) -> Rendered:
    """Print `html` (served as `document_path`) to PDF and screenshot the elements, on the
    process's running Chromium (Printer)."""
    tile_host = urlsplit(settings.BASEMAP_URL).netloc if settings.PRINT_BASEMAP else None
    if tile_host and "{s}" in tile_host:
        tile_host = None  # subdomain templates: no single host to allow
    job = PRINTER.submit(PRINTER.print_page, document_path, html, list(element_ids), pdf, tile_host)
    return job.result()
