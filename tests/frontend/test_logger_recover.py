# SPDX-License-Identifier: EUPL-1.2
"""When the server says no: a walk key that is no longer valid asks the participant to join
again and keeps what waits; a point the server refuses shows why and can be corrected."""

import pytest

from tests.frontend.conftest import screenshot
from tests.frontend.test_logger import join, log_point, phone, submit_join, wait_until_sent
from tests.frontend.test_logger import walk as walk  # noqa: F401  the fixture
from tests.frontend.test_logger_points import eventually
from walks.models import Category, Observation, WalkParticipant

# Chromium logs every 4xx answer as a console error; here the server's 403 is the point.
REFUSED = "the server responded with a status of 403"


pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.console_allows(REFUSED),
]


def test_it_asks_to_join_again_when_the_key_is_refused_and_keeps_the_points(
    page_in, live_server, walk
):
    page = page_in("en", **phone())
    join(page, live_server, name="Aino")
    submit_join(page)
    log_point(page, "lighting", "lamp_out")
    wait_until_sent(page, confirmed=1)
    # The organiser removes the participant: the phone's key is no longer valid.
    WalkParticipant.objects.filter(walk=walk).delete()

    page.locator("[data-theme=road_condition]").tap()
    page.locator("[data-category=pothole]").tap()
    page.locator("#rejoin-note").wait_for()
    assert page.locator("#join").is_visible()
    assert page.locator("#log").is_hidden()
    assert page.locator("#outbox").get_attribute("data-waiting") == "1"
    screenshot(page, "logger-rejoin-en")
    assert Observation.objects.filter(walk=walk).count() == 1

    page.locator("#display-name").fill("Aino again")
    page.locator("input[name=privacy_accepted]").check()
    page.locator("#join-form button[type=submit]").tap()
    page.locator("#log").wait_for()
    page.locator('#outbox[data-waiting="0"]').wait_for()
    eventually(page, lambda: Observation.objects.filter(walk=walk).count() == 2)
    pothole = Observation.objects.get(walk=walk, category__code="pothole")
    assert pothole.participant.display_name == "Aino again"


def test_it_shows_why_a_point_was_refused_and_lets_it_be_corrected(page_in, live_server, walk):
    page = page_in("en", **phone())
    join(page, live_server)
    submit_join(page)
    # The category is withdrawn after the phone loaded the list.
    Category.objects.filter(code="graffiti").update(active=False)
    log_point(page, "vandalism", "graffiti")
    note = page.locator("#rejected-note")
    note.wait_for()
    assert "not saved: 1" in note.inner_text().lower()
    assert Observation.objects.filter(walk=walk).count() == 0

    page.locator("#my-points-open").tap()
    refused = page.locator("#my-points-list li[data-state=rejected]")
    refused.wait_for()
    assert "Unknown or inactive category: graffiti" in refused.inner_text()
    screenshot(page, "logger-rejected-en")
    refused.locator("button.edit").tap()
    assert "Unknown or inactive category" in page.locator("#edit-errors").inner_text()
    page.locator("#edit-category").select_option("damaged_property")
    page.locator("#edit-save").tap()
    eventually(
        page,
        lambda: Observation.objects.filter(walk=walk, category__code="damaged_property").exists(),
    )
    page.locator("#my-points-list li[data-state=sent]").wait_for()
    assert page.locator("#rejected-note").is_hidden()
    assert Observation.objects.filter(walk=walk).count() == 1
