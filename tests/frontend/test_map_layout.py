# SPDX-License-Identifier: EUPL-1.2
"""The map workspace at real sizes, in Chromium: a tablet in the field (768×1024) keeps a
usable map beside the list, a phone (360×740) gets the list first and the map below it."""

import pytest

from tests.frontend.conftest import screenshot
from tests.frontend.test_map import make_user, settle, sign_in, town  # noqa: F401
from walks.roles import STAFF_GROUP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_it_keeps_the_map_usable_on_a_tablet(page_in, live_server, town):  # noqa: F811
    make_user("valo", STAFF_GROUP, units=["street_lighting"])
    page = page_in("en", viewport={"width": 768, "height": 1024})
    sign_in(page, live_server, "valo")

    map_box, list_box = box(page, "#map"), box(page, ".ws-list")
    assert map_box["width"] >= 300
    assert map_box["height"] >= 600
    assert list_box["width"] >= 250 and list_box["x"] >= map_box["x"] + map_box["width"] - 1
    assert page.locator(".obs-item").count() == 8
    # The filters fold over the map behind a button, and come back with it.
    assert not page.locator("#ws-filters").is_visible()
    toggle = page.get_by_role("button", name="Filters and layers")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#ws-filters").is_visible()
    settle(page, lambda: page.get_by_label("Theme").select_option("road_condition"))
    assert page.locator(".obs-item").count() == 2
    screenshot(page, "map-tablet-768-filters")
    toggle.click()
    assert not page.locator("#ws-filters").is_visible()
    assert box(page, "#map")["width"] >= 300
    screenshot(page, "map-tablet-768")


def test_it_puts_the_list_first_on_a_phone(page_in, live_server, town):  # noqa: F811
    make_user("valo", STAFF_GROUP, units=["street_lighting"])
    page = page_in("en", viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    sign_in(page, live_server, "valo")

    # Nothing wider than the phone; the list starts on the first screen, the map after it.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    first = box(page, ".obs-item")
    assert first["y"] + first["height"] <= 740
    assert first["width"] >= 300 and first["height"] >= 44
    map_box = box(page, "#map")
    assert map_box["y"] > box(page, "#list")["y"]
    assert map_box["width"] >= 340 and map_box["height"] >= 300
    screenshot(page, "map-phone-360-list")

    # A tap opens the observation where the tap was: above the list, in view.
    lamp = town["made"]["west"][0]
    page.tap(f".obs-item[data-id='{lamp.pk}']")
    page.wait_for_selector(f"#detail[data-id='{lamp.pk}']:not([hidden])")
    heading = box(page, "#detail-heading")
    assert 0 <= heading["y"] < 740
    assert page.locator("#triage").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "map-phone-360-detail")

    page.get_by_role("button", name="Filters and layers").tap()
    assert page.get_by_label("Theme").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
