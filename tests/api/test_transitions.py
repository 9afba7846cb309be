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
        ({}, "status"),
        ({"status": "confirmed", "unit": "x"}, "unit"),
    ],
)
def test_it_400s_bad_transition_input(planner, make_observation, body, field):
    observation = make_observation()
    response = transition(planner, observation, **body)
    assert response.status_code == 400
    assert field in response.json()
    assert not StatusChange.objects.exists()
