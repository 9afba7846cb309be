# SPDX-License-Identifier: EUPL-1.2
"""Every Leaflet map says, in the page's language, when its base map did not load, and
credits the tiles (settings.BASEMAP_ATTRIBUTION, OpenStreetMap by default) only once they
show (frontend/basemap.js): the logger, the map workspace, the plan's and the walk
protocol's folium maps.

Tiles are blocked as the page fixture blocks every other host, or served by the test
itself: a PNG for every request to the base map's host.
"""

import io
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.test import Client
from PIL import Image

from tests.frontend import test_logger
from tests.frontend.test_logger import join, phone, submit_join
from tests.frontend.test_map import DESK, make_user, wait_ready
from tests.plans.conftest import make_plan
from walks.models import Category, Observation
from walks.roles import PLANNERS_GROUP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NOTICE = {
    "fi": "Taustakarttaa ei voitu ladata",
    "sv": "Bakgrundskartan kunde inte laddas",
    "en": "The base map could not be loaded",
}
CREDIT = "OpenStreetMap"
walk = test_logger.walk  # the logger's walk, open for joining with its code


@pytest.fixture
def town(municipality, walk):
    """test_logger's walk, open for joining, with a finding, and a published plan (the
    plan page and the protocol are public then)."""
    Observation.objects.create(
        municipality=municipality,
        walk=walk,
        category=Category.objects.get(code="lamp_out"),
        geom=Point(26.92, 60.46, srid=4326),
    )
    make_plan(municipality)
    make_user("suunnittelija", PLANNERS_GROUP)
    return walk


def tile_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (236, 232, 220)).save(buffer, format="PNG")
    return buffer.getvalue()


def serve_tiles(page):
    """The base map's host answered by the test (the page fixture refuses other hosts)."""
    host = urlsplit(settings.BASEMAP_URL).netloc
    png = tile_png()
    page.route(
        lambda url: urlsplit(url).netloc == host,
        lambda route: route.fulfill(body=png, content_type="image/png"),
    )


def maps_on(page) -> list[dict]:
    """Each map's notice (its text, if shown) and attribution, once its tiles settled."""
    page.locator(".leaflet-container").first.wait_for()
    page.wait_for_function(
        """() => [...document.querySelectorAll('.leaflet-container')].every((map) =>
             map.querySelector('.basemap-notice, .leaflet-tile-loaded'))""",
        timeout=20_000,
    )
    return page.evaluate(
        """() => [...document.querySelectorAll('.leaflet-container')].map((map) => {
             const notice = map.querySelector('.basemap-notice');
             const credit = map.querySelector('.leaflet-control-attribution');
             const shown = notice && notice.getClientRects().length > 0
               && getComputedStyle(notice).visibility !== 'hidden';
             return {id: map.id, notice: shown ? notice.textContent : null,
                     credit: credit ? credit.textContent : ''};
           })"""
    )


def signed_in(page, live_server, username):
    """The browser signed in (the login form's labels are in the page's language)."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def visit_every_map(page_in, live_server, walk, language, *, tiles: bool) -> dict:
    seen = {}
    pages = {
        "plan": "/plan/285/",
        "protocol": f"/walks/{walk.pk}/protocol/",
    }
    page = page_in(language, viewport=DESK)
    if tiles:
        serve_tiles(page)
    for name, path in pages.items():
        page.goto(live_server.url + path)
        seen[name] = maps_on(page)
    signed_in(page, live_server, "suunnittelija")
    page.goto(live_server.url + "/map/")
    wait_ready(page)
    seen["workspace"] = maps_on(page)

    phone_page = page_in(language, **phone())
    if tiles:
        serve_tiles(phone_page)
    join(phone_page, live_server)
    submit_join(phone_page)
    seen["logger"] = maps_on(phone_page)
    return seen


@pytest.mark.parametrize("language", ["sv", "fi"])
def test_every_map_says_so_when_tiles_fail_and_credits_no_tiles(
    page_in, live_server, town, language
):
    seen = visit_every_map(page_in, live_server, town, language, tiles=False)

    assert len(seen["plan"]) > 1 and len(seen["protocol"]) >= 2
    for name, maps in seen.items():
        for shown in maps:
            assert shown["notice"] and NOTICE[language] in shown["notice"], (name, shown)
            assert CREDIT not in shown["credit"], (name, shown)


def test_every_map_credits_the_tiles_once_they_load(page_in, live_server, town):
    seen = visit_every_map(page_in, live_server, town, "en", tiles=True)

    for name, maps in seen.items():
        assert maps, name
        for shown in maps:
            assert shown["notice"] is None, (name, shown)
            assert CREDIT in shown["credit"], (name, shown)
