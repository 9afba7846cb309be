# SPDX-License-Identifier: EUPL-1.2
"""A real browser for page tests: Debian's Chromium driven by Playwright.

Only the live test server is reachable: every other request (base-map tiles included) is
aborted, so tests never touch the internet. Console errors are collected and fail the test.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# Playwright's sync API runs an event loop in this thread; Django's ORM, used by the test
# itself and the live server, is still called synchronously, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def seeded_taxonomy(request):
    """The categories a data migration seeds, present in every page test.

    Transactional tests empty every table when they end, and pytest-django's
    serialized_rollback does not bring the rows back once other database tests ran first.
    """
    if "django_db" not in request.keywords:
        return
    from walks.models import Category, ResponsibleUnit, Theme
    from walks.taxonomy import seed

    seed(Theme, Category, ResponsibleUnit)


@pytest.fixture
def page_in(request, browser, live_server):
    """page_in("sv") opens a page whose browser asks for Swedish; console errors fail the test.

    A test whose point is a refusal marks the console messages it expects:
    `@pytest.mark.console_allows("the server responded with a status of 403")`.
    """
    contexts, errors = [], []
    allowed = ["net::ERR_FAILED"]  # aborted off-site requests (tiles) are logged as failed
    for marker in request.node.iter_markers("console_allows"):
        allowed.extend(marker.args)
    allowed_host = urlsplit(live_server.url).netloc

    def keep_local(route):
        if urlsplit(route.request.url).netloc == allowed_host:
            route.continue_()
        else:
            route.abort()

    def open_page(language="fi", **context_options):
        context = browser.new_context(
            locale=language, extra_http_headers={"Accept-Language": language}, **context_options
        )
        contexts.append(context)
        context.route("**/*", keep_local)
        page = context.new_page()
        page.on(
            "console",
            lambda message: message.type == "error" and errors.append((page.url, message.text)),
        )
        page.on("pageerror", lambda error: errors.append((page.url, str(error))))
        return page

    yield open_page
    for context in contexts:
        context.close()
    page_errors = [e for e in errors if not any(text in e[1] for text in allowed)]
    assert not page_errors, f"console errors: {page_errors}"


def screenshot(page, name: str):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
