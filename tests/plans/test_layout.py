# SPDX-License-Identifier: EUPL-1.2
"""The plan page's action tables at real sizes in Chromium: a long unbroken title wraps
(no table overflow, on screen or in print), and on a 360×740 phone every action's
deadline and status are on screen, not pushed off it sideways."""

import pytest

from plans.models import Action
from tests.frontend.conftest import screenshot

PHONE = {"width": 360, "height": 740}
# A4 minus the PDF's margins (plans.render), in CSS pixels.
PRINTED = {"width": 700, "height": 1000}
LONG_TITLE = "Katuvalaistusverkostouudistussuunnitelmaselvitystyöryhmäkokousvalmistelu" * 2

OVERFLOWING_TABLES = """() => [...document.querySelectorAll('.actions-table')]
  .filter(t => t.getBoundingClientRect().right > t.parentElement.getBoundingClientRect().right + 1
               || t.parentElement.scrollWidth > t.parentElement.clientWidth + 1).length"""


@pytest.fixture
def long_titled(plan):
    Action.objects.create(
        plan=plan, year=plan.period_start.year + 1, title_fi=LONG_TITLE, status="delayed"
    )
    plan.publish()
    return plan


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_deadline_and_status_stay_on_a_phone_screen(page_in, live_server, long_titled):
    page = page_in("fi", viewport=PHONE)
    page.goto(f"{live_server.url}/plan/285/")

    rows = page.locator(".actions-table tbody tr")
    assert rows.count() == long_titled.actions.count()
    for n in range(rows.count()):
        row = rows.nth(n)
        row.scroll_into_view_if_needed()
        for cell in (row.locator("td.deadline"), row.locator("td.action-status")):
            box = cell.bounding_box()
            assert box is not None and box["width"] > 0
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (n, box)
            assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (n, box)
        # The heading says what each line is.
        assert (
            row.locator("td.deadline").evaluate(
                "cell => getComputedStyle(cell, '::before').content"
            )
            == '"Määräaika"'
        )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(OVERFLOWING_TABLES) == 0
    long_row = page.locator(".actions-table tbody tr", has_text=LONG_TITLE[:20])
    long_row.scroll_into_view_if_needed()
    screenshot(page, "plan-phone-360")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_long_title_wraps_on_screen_and_in_print(page_in, live_server, long_titled):
    page = page_in("en", viewport={"width": 1200, "height": 900})
    page.goto(f"{live_server.url}/plan/285/")
    title = page.locator(".actions-table th", has_text=LONG_TITLE[:20])
    assert title.bounding_box()["height"] > 2 * 20  # wrapped onto several lines
    assert page.evaluate(OVERFLOWING_TABLES) == 0

    # The PDF is Chromium's print of the same page (plans.render): print media, A4 width.
    page.set_viewport_size(PRINTED)
    page.emulate_media(media="print")
    assert page.evaluate(OVERFLOWING_TABLES) == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PRINTED["width"]
    # In print the table keeps its columns (the phone's cards are for screens).
    assert (
        page.locator(".actions-table thead").evaluate("head => getComputedStyle(head).position")
        != "absolute"
    )
