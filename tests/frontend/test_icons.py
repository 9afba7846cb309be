# SPDX-License-Identifier: EUPL-1.2
"""Every page has Lyhty's icon, /favicon.ico answers, and no page asks for anything that
is not there: no 404 and no console error on any page, the admin and the API docs too.

How the test was checked: without the /favicon.ico route it fails on the favicon's 404;
without the admin's template override, on the admin's missing icon link."""

import pytest
from django.contrib.auth import get_user_model

from tests.api.conftest import make_walk
from tests.frontend.conftest import screenshot
from tests.plans.conftest import make_plan

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "lyhty-test-1"  # noqa: S105 - a test account on the test server
ICO_MAGIC = [0, 0, 1, 0]  # an ICO file's first four bytes


def fetch(page, live_server, path):
    """GET with the page's cookies: status, content type, first bytes. Not through the page:
    Playwright's request routing (the conftest's) breaks a page's own fetch of /favicon.ico."""
    response = page.request.get(live_server.url + path)
    return [response.status, response.headers["content-type"], list(response.body()[:4])]


def check_icons(page, live_server, failed, path):
    icon = page.locator("link[rel=icon]")
    assert icon.count() == 1, f"{path}: no icon linked"
    status, content_type, _bytes = fetch(page, live_server, icon.get_attribute("href"))
    assert (status, content_type) == (200, "image/svg+xml"), path
    touch = page.locator("link[rel=apple-touch-icon]").get_attribute("href")
    assert fetch(page, live_server, touch)[:2] == [200, "image/png"], path
    assert failed == [], f"{path}: {failed}"


def test_no_page_misses_its_icon_or_anything_else(page_in, live_server, municipality):
    get_user_model().objects.create_superuser("aino", "aino@example.fi", PASSWORD)
    walk = make_walk(municipality)
    make_plan(municipality)
    page = page_in("fi")
    failed = []
    page.on(
        "response",
        lambda response: response.status >= 400 and failed.append((response.status, response.url)),
    )

    anonymous = ["/", "/walk/", f"/walk/join/{walk.join_code}/", "/login/"]
    for path in anonymous:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        check_icons(page, live_server, failed, path)
    assert fetch(page, live_server, "/favicon.ico") == [200, "image/vnd.microsoft.icon", ICO_MAGIC]

    page.get_by_label("Käyttäjätunnus").fill("aino")
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_url("**/map/**")

    signed_in = [
        "/map/?base=none",
        "/plan/285/",
        f"/walks/{walk.pk}/protocol/",
        "/admin/",
        "/admin/walks/category/",
        "/api/docs/",
    ]
    for path in signed_in:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        if path.startswith("/api/docs/"):
            # Swagger UI links its favicon by itself: Lyhty's, at /favicon.ico.
            assert page.locator("link[rel=icon]").get_attribute("href") == "/favicon.ico"
            assert failed == [], f"{path}: {failed}"
        else:
            check_icons(page, live_server, failed, path)
    screenshot(page, "api-docs-icon")
