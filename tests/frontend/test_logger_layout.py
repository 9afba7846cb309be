# SPDX-License-Identifier: EUPL-1.2
"""The logger on real phone sizes, upright and on its side: what a walker must see without
scrolling, the last confirmation, logging with no position, and "Change" at the point."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import gettext, override

from tests.frontend.conftest import screenshot
from tests.frontend.test_logger import (
    HOME,
    join,
    log_point,
    metres_between,
    phone,
    submit_join,
    wait_until_sent,
)
from tests.frontend.test_logger import walk as walk  # noqa: F401  the fixture
from tests.frontend.test_logger_points import eventually
from walks.models import Category, Observation, Theme

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONES = [(320, 568), (568, 320), (360, 740), (740, 360)]

# The element's box and the viewport's size, in CSS pixels.
BOX = """selector => { const r = document.querySelector(selector).getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom,
            width: innerWidth, height: innerHeight}; }"""

# Labels whose text does not fit their box: a word cut off or running out of the button.
CUT_LABELS = """() => [...document.querySelectorAll('#log .label')]
    .filter(el => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right
                  > el.closest('button').getBoundingClientRect().right)
    .map(el => el.textContent)"""


def in_viewport(page, selector):
    box = page.evaluate(BOX, selector)
    assert box["right"] > box["left"] and box["bottom"] > box["top"], f"{selector} has no size"
    assert box["left"] >= 0 and box["top"] >= 0, f"{selector} starts off-screen: {box}"
    assert box["right"] <= box["width"] and box["bottom"] <= box["height"], (
        f"{selector} ends off-screen: {box}"
    )
    return box


def translated(text, language="fi"):
    with override(language):
        return gettext(text)


@pytest.mark.parametrize(("width", "height"), PHONES)
def test_it_shows_the_categories_the_position_and_the_confirmation_without_scrolling(
    page_in, live_server, walk, width, height
):
    walk.title = "Nuorten iltakävely Keskustan ja Länsirannan liikenneympäristöissä"
    walk.save()
    page = page_in("fi", **phone(viewport={"width": width, "height": height}))
    join(page, live_server)
    submit_join(page)
    page.locator(".you-are-here").wait_for()
    page.wait_for_timeout(300)  # the map settles after the panel is filled

    # The walker's position: on the map, in view, not under the panel.
    dot = in_viewport(page, ".you-are-here")
    map_box = in_viewport(page, "#map")
    assert map_box["top"] <= dot["top"] and dot["bottom"] <= map_box["bottom"]
    assert map_box["left"] <= dot["left"] and dot["right"] <= map_box["right"]
    toast = in_viewport(page, "#saved-message")
    assert toast["bottom"] < dot["top"] or toast["right"] < dot["left"], "the dot is under the note"
    assert page.evaluate("document.scrollingElement.scrollHeight") <= height
    # Every theme's categories, in view and with their names whole.
    for theme in Theme.objects.order_by("order"):
        page.locator(f"[data-theme={theme.code}]").tap()
        in_viewport(page, "#category-buttons")
        assert page.evaluate(CUT_LABELS) == []
    page.locator("[data-theme=lighting]").tap()
    screenshot(page, f"logger-fits-{width}x{height}-fi")

    # A point with details: the confirmation stays in view while the details are filled in
    # and after they are saved.
    page.locator("[data-category=lamp_out]").tap()
    saved = translated("Saved: %(category)s") % {"category": "Lamppu ei pala"}
    page.locator("#saved-message", has_text=saved).wait_for()
    page.locator("#details summary").tap()
    page.locator("#details input[name=severity][value='4']").check()
    page.locator("#details input[name=perceived_safety][value='2']").check()
    page.locator("#note").fill("Pylväs 12, koko kujan valot sammuksissa")
    in_viewport(page, "#saved-message")
    screenshot(page, f"logger-details-{width}x{height}-fi")
    page.locator("#done").tap()
    page.locator("#saved-message", has_text=translated("Details saved.")).wait_for()
    in_viewport(page, "#saved-message")
    in_viewport(page, "#category-buttons")
    screenshot(page, f"logger-confirmed-{width}x{height}-fi")
    eventually(
        page, lambda: Observation.objects.filter(walk=walk, severity=4, perceived_safety=2).exists()
    )


def test_it_asks_for_a_map_tap_when_the_position_is_blocked(page_in, live_server, walk):
    page = page_in("en", **phone(permissions=[]))
    join(page, live_server)
    submit_join(page)
    note = page.locator("#position-note")
    note.wait_for()
    assert "not available" in note.inner_text()

    # A category without a position saves nothing, and says where to tap.
    page.locator("[data-theme=lighting]").tap()
    page.locator("[data-category=dark_spot]").tap()
    page.locator("#saved-message", has_text="tap the map where “Dark spot” is").wait_for()
    page.wait_for_timeout(1500)
    assert page.locator("#outbox").get_attribute("data-waiting") == "0"
    assert not Observation.objects.filter(walk=walk).exists()
    screenshot(page, "logger-no-position-en")

    # The map (fitted to the route, centred on HOME) is tapped left of its centre: the point
    # is saved there, not at the centre.
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 - 80, box["y"] + box["height"] / 2)
    page.locator("#saved-message", has_text="Saved: Dark spot").wait_for()
    wait_until_sent(page, confirmed=1)
    observation = Observation.objects.get(walk=walk)
    assert observation.position_source == "map"
    assert observation.category.code == "dark_spot"
    assert observation.geom.x < HOME["longitude"]
    assert metres_between(observation.geom, HOME["latitude"], HOME["longitude"]) > 20


def test_it_opens_change_at_the_point_changed(page_in, live_server, walk):
    page = page_in("en", **phone())
    join(page, live_server)
    submit_join(page)
    for theme, category in [
        ("lighting", "lamp_out"),
        ("road_condition", "pothole"),
        ("vandalism", "graffiti"),
        ("lighting", "dark_spot"),
        ("traffic", "speeding"),
    ]:
        log_point(page, theme, category)
    wait_until_sent(page, confirmed=5)
    page.locator("#my-points-open").tap()
    # The list starts with the newest point: point 1 is the last one logged.
    first = page.locator("#my-points-list li").first
    assert first.locator(".my-point-title").inner_text().startswith("1. Speeding")
    first.locator("button.edit").tap()
    form = page.locator("#edit-form")
    form.wait_for()
    # The form is the first point's own, right under its title, and in view.
    assert page.locator("#my-points-list li:first-child #edit-form").count() == 1
    assert page.evaluate("document.activeElement.id") == "edit-category"
    assert page.locator("#edit-category").input_value() == "speeding"
    title = first.locator(".my-point-title").bounding_box()
    assert 0 <= form.bounding_box()["y"] - (title["y"] + title["height"]) < 120
    in_viewport(page, "#edit-category")
    screenshot(page, "logger-change-point-1-en")
    page.locator("#edit-note").fill("The whole lane")
    page.locator("#edit-save").tap()
    eventually(
        page,
        lambda: Observation.objects.filter(
            walk=walk, category__code="speeding", description="The whole lane"
        ).exists(),
    )
    assert page.locator("#my-points-list li").count() == 5


PICTOGRAMS = Path(settings.BASE_DIR) / "frontend/templates/frontend/walk_pictograms.svg"


def test_it_draws_a_pictogram_for_every_category_from_a_small_own_set(page_in, live_server, walk):
    assert PICTOGRAMS.stat().st_size <= 30_000
    page = page_in("en", **phone())
    join(page, live_server)
    submit_join(page)
    for theme in Theme.objects.order_by("order"):
        page.locator(f"[data-theme={theme.code}]").tap()
        shown = dict(
            page.evaluate(
                """() => [...document.querySelectorAll('#category-buttons [data-category]')]
                .map(b => [b.dataset.category, b.querySelector('svg.icon').dataset.pictogram])"""
            )
        )
        expected = {c.code: c.icon for c in Category.objects.filter(theme=theme, active=True)}
        assert shown == expected
        # Drawn: a badge of at least 28 px whose symbol has shapes in it.
        drawn = page.evaluate(
            """() => [...document.querySelectorAll('#category-buttons svg.icon')].map(svg => {
                const box = svg.getBoundingClientRect();
                const use = svg.querySelector('use');
                const symbol = document.querySelector(use.getAttribute('href'));
                return box.width >= 28 && box.height >= 28 && symbol.children.length > 0; })"""
        )
        assert drawn and all(drawn)
    # A category whose icon has no symbol gets its theme's.
    Category.objects.filter(code="graffiti").update(icon="no-such-icon")
    page.reload()
    page.locator("[data-theme=vandalism]").tap()
    icon = page.locator("[data-category=graffiti] svg.icon")
    assert icon.get_attribute("data-pictogram") == "theme-vandalism"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_it_breaks_long_finnish_and_swedish_names_without_cutting_them(
    page_in, live_server, walk, language
):
    page = page_in(language, **phone(viewport={"width": 320, "height": 568}))
    join(page, live_server)
    submit_join(page)
    assert page.locator("html").get_attribute("lang") == language
    for theme in Theme.objects.order_by("order"):
        page.locator(f"[data-theme={theme.code}]").tap()
        assert page.evaluate(CUT_LABELS) == []
    label = page.locator("[data-theme=road_condition] .label")
    assert page.evaluate("el => getComputedStyle(el).hyphens", label.element_handle()) == "auto"
    if language == "fi":
        # Soft hyphens between the syllables of long words, for browsers without a dictionary.
        assert label.text_content() == "Katujen ja kul\xadku\xadreit\xadtien kunto"
    else:
        assert label.text_content() == "Gators och gångvägars skick"
    screenshot(page, f"logger-long-names-320-{language}")
