# SPDX-License-Identifier: EUPL-1.2
"""The audit trail: staff changes on record with who and when, for administrators only."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.api.test_transitions import transition
from walks.models import AuditEvent, Observation


def events():
    return list(
        AuditEvent.objects.order_by("id").values_list("action", "actor__username", "details")
    )


def test_it_records_a_status_change_with_who_did_it(lighting_staff, make_observation):
    observation = make_observation()
    assert transition(lighting_staff, observation, status="confirmed").status_code == 200

    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.actor_name) == ("status", lighting_staff.user, "valo")
    assert event.details["status"] == ["new", "confirmed"]
    assert (event.target_type, event.target_id) == ("observation", observation.pk)
    assert event.municipality_id == observation.municipality_id


def test_a_refused_change_leaves_nothing(lighting_staff, make_observation):
    observation = make_observation(status="resolved")
    assert transition(lighting_staff, observation, status="new").status_code == 409
    assert events() == []


def test_it_records_a_visibility_change_but_not_other_edits(planner, make_observation):
    observation = make_observation()
    patch = {"type": "Feature", "properties": {"severity": 4}}
    response = planner.patch(
        f"/api/v1/observations/{observation.pk}/",
        json.dumps(patch),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert events() == []

    patch["properties"] = {"visibility": "internal"}
    response = planner.patch(
        f"/api/v1/observations/{observation.pk}/",
        json.dumps(patch),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert events() == [("visibility", "suunnittelija", {"visibility": ["public", "internal"]})]


def test_it_records_a_deletion_by_an_administrator(admin, make_observation):
    observation = make_observation()
    label = str(observation)
    assert admin.delete(f"/api/v1/observations/{observation.pk}/").status_code == 204
    assert not Observation.objects.filter(pk=observation.pk).exists()
    event = AuditEvent.objects.get()
    assert (event.action, event.target_id, event.target_label) == (
        "deleted",
        observation.pk,
        label,
    )


@pytest.fixture
def administrator(db):
    user = get_user_model().objects.create_superuser("yllapito", "y@example.fi", None)
    client = Client()
    client.force_login(user)
    return client


def test_administrators_read_the_trail_in_the_admin_and_cannot_change_it(
    administrator, lighting_staff, make_observation
):
    observation = make_observation()
    transition(lighting_staff, observation, status="confirmed")
    event = AuditEvent.objects.get()

    listing = administrator.get("/admin/walks/auditevent/")
    assert listing.status_code == 200
    assert "valo" in listing.content.decode()
    assert administrator.get(f"/admin/walks/auditevent/{event.pk}/change/").status_code == 200
    assert administrator.get("/admin/walks/auditevent/add/").status_code == 403
    deleted = administrator.post(f"/admin/walks/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    assert AuditEvent.objects.count() == 1


def test_staff_with_admin_access_do_not_see_it(lighting_staff, make_observation):
    user = lighting_staff.user
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    transition(lighting_staff, make_observation(), status="confirmed")
    assert client.get("/admin/walks/auditevent/").status_code == 403
    assert "auditevent" not in client.get("/admin/").content.decode()


def test_no_api_path_shows_it(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "audit" not in schema.content.decode().lower()


def test_moderation_is_on_record(municipality, planner):
    from tests.api.test_reports import moderate, report

    report(description="Pimeä kulma")
    stored = Observation.objects.get()
    assert moderate(planner, stored, "accept").status_code == 200

    event = AuditEvent.objects.get(action="moderated")
    assert (event.actor, event.target_id, event.details) == (
        planner.user,
        stored.pk,
        {"step": "accept", "moderation": "accepted"},
    )
