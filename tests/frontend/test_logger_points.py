# SPDX-License-Identifier: EUPL-1.2
"""My points: the participant's own points of the walk, changed and deleted from the phone,
online and offline, and the details step's severity, perceived safety and light."""

import time

import pytest

from tests.frontend.conftest import screenshot
from tests.frontend.test_logger import join, log_point, phone, submit_join, wait_until_sent
from tests.frontend.test_logger import walk as walk  # noqa: F401  the fixture
from walks.models import Observation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def eventually(page, check, seconds=30, explain=lambda: ""):
    """Until `check()` (a look at the database) is true: the phone sends in its own time.

    Waits through the page, so that Playwright keeps routing the page's requests."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"the database never got there {explain()}"
        page.wait_for_timeout(100)


def stored(walk):
    return list(Observation.objects.filter(walk=walk).values_list("category__code", "description"))


def open_my_points(page, count):
    page.locator("#my-points-open").tap()
    page.locator(f'#my-points-list[data-count="{count}"]').wait_for(state="attached")


def item(page, category_text):
    return page.locator("#my-points-list li", has_text=category_text)


def test_it_sends_severity_perceived_safety_and_light_from_the_details(page_in, live_server, walk):
    page = page_in("en", **phone())
    join(page, live_server)
    submit_join(page)
    page.locator("[data-theme=lighting]").tap()
    page.locator("[data-category=lamp_out]").tap()
    page.locator("#details summary").tap()
    # Light is preset from the sun's height at the point; the participant may change it.
    assert page.locator("#details input[name=light_condition]:checked").count() == 1
    page.locator("#details input[name=severity][value='4']").check()
    page.locator("#details input[name=perceived_safety][value='2']").check()
    page.locator("#details input[name=light_condition][value=dark]").check()
    screenshot(page, "logger-details-en")
    page.locator("#done").tap()
    eventually(
        page,
        lambda: Observation.objects.filter(
            walk=walk, severity=4, perceived_safety=2, light_condition="dark"
        ).exists(),
    )
    page.locator('#outbox[data-waiting="0"]').wait_for(state="attached")
    assert Observation.objects.filter(walk=walk).count() == 1


def test_it_lists_changes_and_deletes_my_points_online_and_offline(page_in, live_server, walk):
    page = page_in("en", **phone())
    page.on("dialog", lambda dialog: dialog.accept())
    join(page, live_server)
    submit_join(page)
    log_point(page, "lighting", "lamp_out")
    log_point(page, "road_condition", "pothole")
    log_point(page, "vandalism", "graffiti")
    log_point(page, "lighting", "dark_spot")
    wait_until_sent(page, confirmed=4)
    assert page.locator("#my-points-count").inner_text() == "(4)"

    # Online: change one sent point, delete another.
    open_my_points(page, 4)
    assert page.locator("#my-points-list li[data-state=sent]").count() == 4
    screenshot(page, "logger-my-points-en")
    item(page, "Pothole").locator("button.edit").tap()
    page.locator("#edit-form input[name=severity][value='5']").check()
    page.locator("#edit-form input[name=perceived_safety][value='1']").check()
    page.locator("#edit-form input[name=is_positive][value=false]").check()
    page.locator("#edit-note").fill("Deep enough to trip on")
    screenshot(page, "logger-edit-point-en")
    page.locator("#edit-save").tap()
    item(page, "Graffiti").locator("button.delete").tap()
    eventually(page, lambda: not Observation.objects.filter(walk=walk, category__code="graffiti"))
    eventually(
        page,
        lambda: Observation.objects.filter(
            walk=walk, category__code="pothole", severity=5, perceived_safety=1
        ).exists(),
    )
    page.locator("#my-points-list li").nth(3).wait_for(state="detached")  # 3 left
    pothole = Observation.objects.get(walk=walk, category__code="pothole")
    assert pothole.description == "Deep enough to trip on"
    page.locator('#outbox[data-waiting="0"]').wait_for(state="attached")

    # Offline: change the category of one, delete another, log and change a new one; the
    # list and the changes survive a reload, and reach the server when back online.
    page.locator("body[data-offline-ready]").wait_for()
    page.context.set_offline(True)
    item(page, "Lamp out").locator("button.edit").tap()
    page.locator("#edit-category").select_option("glare")
    page.locator("#edit-save").tap()
    item(page, "Dark spot").locator("button.delete").tap()
    page.locator("#my-points-close").tap()
    log_point(page, "vandalism", "litter")
    open_my_points(page, 4)
    item(page, "Litter").locator("button.edit").tap()
    page.locator("#edit-note").fill("Broken glass")
    page.locator("#edit-save").tap()
    # Saved on the phone (IndexedDB) once it says so; a reload before that may lose it.
    page.locator("#my-points-status", has_text="Changes saved.").wait_for()
    page.reload()
    open_my_points(page, 4)
    assert page.locator("#my-points-list li[data-state=waiting]").count() == 2  # glare, litter
    assert page.locator("#my-points-list li[data-state=deleting]").count() == 1
    assert page.locator("#my-points-list li[data-state=sent]").count() == 1  # the pothole
    assert Observation.objects.filter(walk=walk).count() == 3

    # What the phone sends after the connection returns, named if the database never gets there.
    traffic = []
    page.on("response", lambda r: "/api/" in r.url and traffic.append((r.request.method, r.status)))
    page.on("requestfailed", lambda r: "/api/" in r.url and traffic.append((r.method, r.failure)))
    page.context.set_offline(False)
    expected = {"glare": "", "pothole": "Deep enough to trip on", "litter": "Broken glass"}
    eventually(
        page,
        lambda: (
            dict(Observation.objects.filter(walk=walk).values_list("category__code", "description"))
            == expected
        ),
        explain=lambda: f"{stored(walk)} after {traffic}",
    )
    page.locator('#outbox[data-waiting="0"]').wait_for(state="attached")
    page.locator("#my-points-list li[data-state=deleting]").wait_for(state="detached")
    assert page.locator("#my-points-list li[data-state=sent]").count() == 3


def test_it_lists_png_icons_that_load_with_their_sizes(page_in, live_server, walk):
    page = page_in("en", **phone())
    page.goto(f"{live_server.url}/walk/join/K7M2QX9P/")
    manifest_url = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.request.get(live_server.url + manifest_url).json()
    pngs = [icon for icon in manifest["icons"] if icon["type"] == "image/png"]
    assert sorted(icon["sizes"] for icon in pngs) == ["192x192", "512x512"]
    for icon in pngs:
        assert "maskable" in icon["purpose"].split()
        size = page.evaluate(
            """src => new Promise((ok, fail) => { const img = new Image();
                img.onload = () => ok(`${img.naturalWidth}x${img.naturalHeight}`);
                img.onerror = fail; img.src = src; })""",
            icon["src"],
        )
        assert size == icon["sizes"]


SMALL_TARGETS = """selector => [...document.querySelectorAll(selector)]
    .filter(el => el.offsetParent !== null)
    .map(el => [el.id || el.className || el.textContent.trim(), el.getBoundingClientRect()])
    .filter(([, box]) => box.width < 44 || box.height < 44)
    .map(([name, box]) => `${name}: ${Math.round(box.width)}×${Math.round(box.height)}`)"""
TARGETS = "button, select, summary, label.choice, .log-tools label"


def test_it_fits_a_320_px_phone_with_large_targets_and_visible_focus(page_in, live_server, walk):
    page = page_in("en", **phone(viewport={"width": 320, "height": 640}))
    join(page, live_server)
    submit_join(page)
    log_point(page, "lighting", "lamp_out")
    wait_until_sent(page, confirmed=1)
    assert page.evaluate(SMALL_TARGETS, f"#log {TARGETS}") == []

    open_my_points(page, 1)
    assert page.evaluate("document.activeElement.id") == "my-points-heading"
    assert page.evaluate(SMALL_TARGETS, f"#my-points {TARGETS}") == []
    page.keyboard.press("Tab")  # back to the map
    page.keyboard.press("Tab")  # the point's "Change"
    focused = page.evaluate(
        "(() => { const el = document.activeElement; const style = getComputedStyle(el);"
        " return [el.getAttribute('aria-label'), style.outlineStyle, style.outlineWidth]; })()"
    )
    assert focused[0] == "Change point 1: Lamp out"
    assert focused[1] != "none" and focused[2] != "0px"
    page.keyboard.press("Enter")
    page.locator("#edit-form").wait_for()
    assert page.evaluate("document.activeElement.id") == "edit-category"
    assert page.evaluate(SMALL_TARGETS, f"#edit-form {TARGETS}") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screenshot(page, "logger-edit-point-320-en")
