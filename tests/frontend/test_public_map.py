# SPDX-License-Identifier: EUPL-1.2
"""The public map in Chromium against the live server: what the public may read, in
clusters, filtered by theme, status and "fixed in the last 90 days"; each district's open
and fixed figures with small cells hidden; the published plan's actions."""

from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from tests.frontend.conftest import screenshot
from tests.plans.conftest import make_plan
from walks.models import Category, Observation, Status, Visibility

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WEST = (26.92, 60.46)
EAST = (26.96, 60.46)


def place(municipality, category, at, **fields):
    return Observation.objects.create(
        municipality=municipality,
        category=Category.objects.get(code=category),
        geom=Point(*at, srid=4326),
        **fields,
    )


def count(page) -> int:
    return int("".join(ch for ch in page.locator("#public-count").inner_text() if ch.isdigit()))


def test_it_shows_what_the_public_may_read_with_its_filters(page_in, live_server, municipality):
    for _ in range(3):
        place(municipality, "lamp_out", WEST)
        place(municipality, "lamp_out", WEST, status=Status.RESOLVED)
    long_ago = place(municipality, "pothole", WEST, status=Status.RESOLVED)
    Observation.objects.filter(pk=long_ago.pk).update(
        updated_at=timezone.now() - timedelta(days=200)
    )
    place(municipality, "pothole", EAST)  # alone in its district: its figures are hidden
    place(municipality, "lamp_out", WEST, visibility=Visibility.INTERNAL)
    place(municipality, "drugs", WEST)  # sensitive
    make_plan(municipality)

    page = page_in("en", viewport={"width": 1280, "height": 800})
    page.goto(live_server.url + "/public/?municipality=285")
    page.locator("#public-count").filter(has_text="in view").wait_for()
    assert count(page) == 8

    page.locator("#public-fixed").check()
    page.wait_for_function("() => /^3 /.test(document.getElementById('public-count').textContent)")
    page.locator("#public-fixed").uncheck()
    page.locator("#public-theme").select_option("road_condition")
    page.wait_for_function("() => /^2 /.test(document.getElementById('public-count').textContent)")

    rows = page.locator("#public-districts tbody tr")
    rows.first.wait_for()
    table = {rows.nth(n).locator("th").inner_text(): rows.nth(n).inner_text() for n in range(2)}
    assert table["Länsi"].split("\t")[1:] == ["3", "4"]
    assert "Too few to show" in table["Itä"]
    page.locator("#public-actions li").first.wait_for()
    assert page.locator("#public-actions li").count() >= 1
    screenshot(page, "public-map-filters-en")
