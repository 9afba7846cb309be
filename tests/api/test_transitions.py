# SPDX-License-Identifier: EUPL-1.2
"""The status workflow through the API: who may move what, and the history it leaves."""

import json

import pytest

from walks.models import Observation, ResponsibleUnit, Status, StatusChange


def transition(client, observation, **body):
    return client.post(
        f"/api/v1/observations/{observation.pk}/transition/",
        json.dumps(body),
        content_type="application/json",
    )


def test_it_records_who_moved_an_observation_and_why(lighting_staff, make_observation):
    observation = make_observation()  # lamp_out: street lighting's
    response = transition(lighting_staff, observation, status="confirmed", note="Nähty")
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["properties"]["status"] == "confirmed"
    change = StatusChange.objects.get()
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        "new",
        "confirmed",
        lighting_staff.user,
        "Nähty",
    )


def test_it_assigns_to_a_unit(planner, make_observation):
    observation = make_observation()
    response = transition(planner, observation, status="assigned", unit="streets_parks")
    assert response.status_code == 200
    observation.refresh_from_db()
    assert observation.responsible_unit.code == "streets_parks"
    assert StatusChange.objects.get().to_unit.code == "streets_parks"


def test_it_lets_staff_move_only_their_units_observations(streets_staff, make_observation):
    lamp = make_observation()
    response = transition(streets_staff, lamp, status="confirmed")
    assert response.status_code == 403
    # Once assigned to streets and parks, it is theirs.
    lamp.responsible_unit = ResponsibleUnit.objects.get(code="streets_parks")
    lamp.save()
    assert transition(streets_staff, lamp, status="confirmed").status_code == 200


def test_it_409s_a_move_the_workflow_does_not_allow(planner, make_observation):
    observation = make_observation(status=Status.REJECTED)
    response = transition(planner, observation, status="resolved")
    assert response.status_code == 409
    assert response.json() == {"status": ["An observation cannot go from rejected to resolved."]}
    assert not StatusChange.objects.exists()
    assert Observation.objects.get().status == "rejected"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "lost"}, "status"),
        ({}, "non_field_errors"),
        ({"note": "  "}, "non_field_errors"),
        ({"status": "confirmed", "unit": "x"}, "unit"),
    ],
)
def test_it_400s_bad_transition_input(planner, make_observation, body, field):
    observation = make_observation()
    response = transition(planner, observation, **body)
    assert response.status_code == 400
    assert field in response.json()
    assert not StatusChange.objects.exists()


def test_it_keeps_the_status_when_only_a_note_is_saved(lighting_staff, make_observation):
    observation = make_observation(status=Status.CONFIRMED)
    response = transition(lighting_staff, observation, note="Käyty katsomassa")
    assert response.status_code == 200, response.content
    assert response.json()["properties"]["status"] == "confirmed"
    change = StatusChange.objects.get()
    assert (change.from_status, change.to_status, change.note) == (
        "confirmed",
        "confirmed",
        "Käyty katsomassa",
    )


def test_it_keeps_a_duplicate_and_its_original_when_only_a_note_is_saved(planner, make_observation):
    original = make_observation()
    repeat = make_observation()
    transition(planner, repeat, status="duplicate", duplicate_of=original.pk)
    response = transition(planner, repeat, note="Sama kuin ennenkin")
    assert response.status_code == 200, response.content
    repeat.refresh_from_db()
    assert (repeat.status, repeat.duplicate_of) == ("duplicate", original)
    last = StatusChange.objects.filter(observation=repeat).last()
    assert (last.from_status, last.to_status, last.note) == (
        "duplicate",
        "duplicate",
        "Sama kuin ennenkin",
    )


def test_it_assigns_without_changing_the_status(planner, make_observation):
    observation = make_observation(status=Status.CONFIRMED)
    response = transition(planner, observation, unit="streets_parks")
    assert response.status_code == 200, response.content
    observation.refresh_from_db()
    assert (observation.status, observation.responsible_unit.code) == (
        "confirmed",
        "streets_parks",
    )


def test_it_marks_a_duplicate_of_another_observation(lighting_staff, make_observation):
    original = make_observation()
    repeat = make_observation()
    response = transition(
        lighting_staff, repeat, status="duplicate", duplicate_of=original.pk, note="Sama lamppu"
    )
    assert response.status_code == 200, response.content
    properties = json.loads(response.content)["properties"]
    assert (properties["status"], properties["duplicate_of"]) == ("duplicate", original.pk)
    repeat.refresh_from_db()
    assert repeat.duplicate_of == original
    change = StatusChange.objects.get()
    assert change.to_status == "duplicate"
    assert change.note == f"Sama lamppu\nDuplicate of #{original.pk}."
    history = lighting_staff.get(f"/api/v1/observations/{repeat.pk}/history/").json()
    assert history[-1]["note"] == change.note


def test_it_forgets_the_original_when_a_duplicate_is_reopened(planner, make_observation):
    original = make_observation()
    repeat = make_observation()
    transition(planner, repeat, status="duplicate", duplicate_of=original.pk)
    response = transition(planner, repeat, status="new", note="Ei sittenkään")
    assert response.status_code == 200
    repeat.refresh_from_db()
    assert (repeat.status, repeat.duplicate_of) == ("new", None)
    assert StatusChange.objects.count() == 2


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "Name the original: the id of the observation this repeats."),
        ("itself", "An observation cannot duplicate itself."),
        ("unknown", "No observation you can see has this id."),
        ("elsewhere", "The original must be in the same municipality."),
        ("not duplicate", "Give this only when the status is duplicate."),
    ],
)
def test_it_400s_a_bad_original(planner, make_observation, municipality, case, message):
    from django.contrib.gis.geos import MultiPolygon, Point, Polygon

    from geo.models import Municipality
    from walks.models import Category

    repeat = make_observation()
    other_town = Municipality.objects.create(
        code="999",
        country="FI",
        name_fi="Muualla",
        name_sv="Annanstans",
        name_en="Elsewhere",
        national_srid=3067,
        geom=MultiPolygon(Polygon.from_bbox((27.0, 60.0, 27.1, 60.1)), srid=4326),
    )
    elsewhere = Observation.objects.create(
        municipality=other_town,
        category=Category.objects.get(code="lamp_out"),
        geom=Point(27.05, 60.05, srid=4326),
    )
    body = {
        "missing": {"status": "duplicate"},
        "itself": {"status": "duplicate", "duplicate_of": repeat.pk},
        "unknown": {"status": "duplicate", "duplicate_of": elsewhere.pk + 1000},
        "elsewhere": {"status": "duplicate", "duplicate_of": elsewhere.pk},
        "not duplicate": {"status": "confirmed", "duplicate_of": elsewhere.pk},
    }[case]
    response = transition(planner, repeat, **body)
    assert response.status_code == 400, response.content
    assert response.json() == {"duplicate_of": [message]}
    repeat.refresh_from_db()
    assert (repeat.status, repeat.duplicate_of) == ("new", None)
    assert not StatusChange.objects.exists()


def test_it_refuses_an_original_the_caller_may_not_read(participant, planner, make_observation):
    # The transition endpoint is for staff roles; a participant is refused before the id
    # is even looked at, so nothing about an internal original leaks.
    original = make_observation(visibility="internal")
    repeat = make_observation()
    response = transition(participant, repeat, status="duplicate", duplicate_of=original.pk)
    assert response.status_code in (401, 403)
    response = transition(planner, repeat, status="duplicate", duplicate_of=original.pk)
    assert response.status_code == 200


def test_deleting_an_original_sends_its_duplicates_back_to_triage(
    participant, planner, make_observation, walk
):
    # A participant deletes their own point, which staff had meanwhile named as an original.
    original = make_observation(walk=walk, participant=participant.participant)
    repeat = make_observation()
    marked = transition(planner, repeat, status="duplicate", duplicate_of=original.pk)
    assert marked.status_code == 200
    response = participant.delete(f"/api/v1/observations/{original.pk}/")
    assert response.status_code == 204, response.content
    assert not Observation.objects.filter(pk=original.pk).exists()
    repeat.refresh_from_db()
    assert (repeat.status, repeat.duplicate_of) == ("new", None)
    reopened = StatusChange.objects.filter(observation=repeat).last()
    assert (reopened.from_status, reopened.to_status, reopened.changed_by) == (
        "duplicate",
        "new",
        None,
    )
    assert f"#{original.pk}" in reopened.note
