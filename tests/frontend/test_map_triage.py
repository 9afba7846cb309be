# SPDX-License-Identifier: EUPL-1.2
"""Triage in the map workspace, in Chromium: the form only where the user may act, the
status kept unless another is chosen, errors in words, and the detail's place, perceived
safety, walk and group."""

import pytest

from tests.frontend.conftest import screenshot
from tests.frontend.test_map import (  # noqa: F401
    DESK,
    PASSWORD,
    make_user,
    settle,
    sign_in,
    town,
    wait_ready,
)
from walks.models import Observation, SafetyWalk, Status, StatusChange, WalkParticipant
from walks.roles import STAFF_GROUP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def open_detail(page, observation):
    page.click(f".obs-item[data-id='{observation.pk}']")
    page.wait_for_selector(f"#detail[data-id='{observation.pk}']:not([hidden])")


def test_it_shows_no_triage_form_on_another_units_observation(page_in, live_server, town):  # noqa: F811
    make_user("valo", STAFF_GROUP, units=["street_lighting"])
    lamp = town["made"]["west"][0]
    pothole = town["made"]["west"][4]  # streets and parks'
    page = page_in("en", viewport=DESK)
    sign_in(page, live_server, "valo")

    open_detail(page, pothole)
    assert not page.locator("#triage").is_visible()
    assert page.get_by_text("Only the responsible unit, a planner or an administrator").is_visible()
    assert (
        page.get_by_role("button", name="Save change").count() == 0
        or not page.get_by_role("button", name="Save change").is_visible()
    )
    screenshot(page, "map-triage-not-yours")

    open_detail(page, lamp)
    assert page.locator("#triage").is_visible()
    assert not page.locator("#triage-not-yours").is_visible()
    status = page.get_by_label("New status")
    # Keeping the status is the default; the moves follow the workflow.
    assert status.input_value() == ""
    assert status.locator("option").all_inner_texts() == [
        "Keep the current status (New)",
        "Confirmed",
        "Assigned",
        "Rejected",
    ]


def test_it_keeps_the_status_when_only_a_note_is_saved(page_in, live_server, town):  # noqa: F811
    make_user("valo", STAFF_GROUP, units=["street_lighting"])
    original, repeat = town["made"]["west"][0], town["made"]["west"][1]
    repeat.change_status(Status.DUPLICATE, duplicate_of=original)
    page = page_in("en", viewport=DESK)
    sign_in(page, live_server, "valo")

    open_detail(page, repeat)
    page.get_by_label("Note", exact=True).fill("Sama lamppu, tarkistettu")
    settle(page, lambda: page.get_by_role("button", name="Save change").click())
    page.wait_for_selector("#triage-message:has-text('Saved: Duplicate.')")

    repeat.refresh_from_db()
    assert (repeat.status, repeat.duplicate_of_id) == ("duplicate", original.pk)
    last = StatusChange.objects.filter(observation=repeat).last()
    assert (last.from_status, last.to_status, last.note) == (
        "duplicate",
        "duplicate",
        "Sama lamppu, tarkistettu",
    )
    assert "Sama lamppu, tarkistettu" in page.locator("#detail-history").inner_text()


@pytest.mark.console_allows("status of 409")
def test_it_says_in_words_why_a_change_was_not_saved(page_in, live_server, town):  # noqa: F811
    make_user("valo", STAFF_GROUP, units=["street_lighting"])
    lamp = town["made"]["west"][0]
    page = page_in("fi", viewport=DESK)
    page.goto(live_server.url + "/login/?next=/map/%3Fbase%3Dnone")
    page.locator("#id_username").fill("valo")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.sign-in-form button").click()
    page.wait_for_url("**/map/**")
    wait_ready(page)
    open_detail(page, lamp)

    page.get_by_role("button", name="Tallenna muutos").click()
    message = page.locator("#triage-message")
    assert message.inner_text() == (
        "Ei tallennettavaa: valitse uusi tila tai yksikkö tai kirjoita huomautus."
    )
    assert not StatusChange.objects.exists()

    # Meanwhile someone else rejected it: the move the form offers is no longer allowed.
    Observation.objects.filter(pk=lamp.pk).update(status=Status.REJECTED)
    page.locator("#t-status").select_option("confirmed")
    with page.expect_response(lambda r: "/transition/" in r.url) as answer:
        page.get_by_role("button", name="Tallenna muutos").click()
    assert answer.value.status == 409
    page.wait_for_function(
        "() => document.getElementById('triage-message').textContent.startsWith('Ei tallennettu')"
    )
    text = message.inner_text()
    assert text.startswith("Ei tallennettu: ")
    assert "hylätty" in text  # the workflow's own message, in Finnish
    for raw in ("{", "[", "status:", "409"):
        assert raw not in text
    screenshot(page, "map-triage-error-in-words")


def test_it_shows_the_place_perceived_safety_walk_and_group(page_in, live_server, town):  # noqa: F811
    make_user("valo", STAFF_GROUP, units=["street_lighting"])
    from django.utils import timezone

    walk = SafetyWalk.objects.create(
        municipality=town["municipality"],
        title="Nuorten iltakävely",
        starts_at=timezone.now(),
        ends_at=timezone.now(),
        group="youth",
    )
    joined = WalkParticipant.objects.create(walk=walk, group="seniors")
    lamp = town["made"]["west"][0]
    Observation.objects.filter(pk=lamp.pk).update(walk=walk, participant=joined, perceived_safety=2)
    page = page_in("en", viewport=DESK)
    sign_in(page, live_server, "valo")
    open_detail(page, lamp)

    fields = dict(
        zip(
            page.locator("#detail-fields dt").all_inner_texts(),
            page.locator("#detail-fields dd").all_inner_texts(),
            strict=True,
        )
    )
    # No address file is loaded in the test: the coordinates.
    assert fields["Place"] == "60.45000° N, 26.91000° E"
    assert fields["Perceived safety"] == "2 of 5 (1: very unsafe, 5: very safe)"
    assert fields["Safety walk"] == "Nuorten iltakävely"
    assert fields["Group"] == "seniors"
