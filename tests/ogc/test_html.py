# SPDX-License-Identifier: EUPL-1.2
"""Conformance class HTML: every resource of /ogc/ also answers as an HTML 5 page in the
site's look and the caller's language, chosen by `f=html` or by the Accept header."""

import pytest

from tests.conftest import WEST
from tests.ogc.conftest import screenshot

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def resources(observation_id: int) -> list[str]:
    return [
        "/ogc/",
        "/ogc/conformance",
        "/ogc/api",
        "/ogc/collections",
        "/ogc/collections/observations",
        "/ogc/collections/observations/queryables",
        "/ogc/collections/observations/items",
        f"/ogc/collections/observations/items/{observation_id}",
    ]


@pytest.mark.django_db
def test_every_resource_answers_as_html5_by_f_or_by_accept(public, make_observation):
    made = make_observation(at=WEST)
    for path in resources(made.pk):
        for response in (
            public.get(path, {"f": "html"}),
            public.get(path, HTTP_ACCEPT=BROWSER_ACCEPT),
        ):
            assert response.status_code == 200, path
            assert response["Content-Type"].startswith("text/html"), path
            text = response.content.decode()
            assert text.startswith("<!DOCTYPE html>"), path
            assert '<html lang="en">' in text, path
        # And JSON to a GIS client, which asks for JSON.
        as_json = public.get(path, HTTP_ACCEPT="application/geo+json, application/json")
        assert "json" in as_json["Content-Type"], path


@pytest.mark.django_db
def test_the_html_pages_speak_the_callers_language(public, make_observation):
    make_observation(at=WEST)
    swedish = public.get("/ogc/collections?f=html", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    finnish = public.get("/ogc/collections?f=html", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Samlingar" in swedish and "Trygghetsvandringar" in swedish
    assert "Kokoelmat" in finnish and "Turvallisuuskävelyt" in finnish


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_planner_browses_the_features_in_chromium(
    page_in, live_server, taxonomy, make_observation
):
    made = [make_observation(at=WEST, severity=n + 1) for n in range(3)]
    page = page_in("sv")
    page.goto(f"{live_server.url}/ogc/collections/observations/items?f=html&limit=2")
    assert page.locator("h1").inner_text() == "Iakttagelser"
    assert page.locator("table.ogc-items tbody tr").count() == 2
    assert "Objekt 1–2 av 3." in page.locator("main").inner_text()
    page.get_by_role("link", name="Nästa sida").click()
    assert page.locator("table.ogc-items tbody tr").count() == 1
    page.get_by_role("link", name=str(made[2].pk), exact=True).click()
    assert page.locator("h1").inner_text() == f"Iakttagelser {made[2].pk}"
    screenshot(page, "ogc-feature")
