# SPDX-License-Identifier: EUPL-1.2
"""Walks: listed without join codes for the public, joined with a code by the phone logger."""

import json

from tests.api.conftest import make_walk
from walks.models import WalkParticipant, WalkState

JOIN = "/api/v1/walks/join/"


def join(client, **body):
    body = {"group": "youth", "privacy_accepted": True, **body}
    return client.post(JOIN, json.dumps(body), content_type="application/json")


def test_it_lists_walks_without_join_codes_for_the_public(public, walk):
    body = json.loads(public.get("/api/v1/walks/").content)
    (feature,) = body["features"]
    assert feature["geometry"]["type"] == "LineString"
    assert feature["properties"]["title"] == "Iltakävely"
    assert feature["properties"]["is_open"] is True
    assert "join_code" not in feature["properties"]
    assert walk.join_code not in public.get(f"/api/v1/walks/{walk.pk}/").content.decode()


def test_it_shows_join_codes_to_planners(planner, walk):
    body = json.loads(planner.get(f"/api/v1/walks/{walk.pk}/").content)
    assert body["properties"]["join_code"] == walk.join_code


def test_it_filters_walks_by_municipality_and_state(public, municipality):
    open_walk = make_walk(municipality)
    make_walk(municipality, state=WalkState.CLOSED)
    body = json.loads(public.get("/api/v1/walks/", {"state": "planned,walking"}).content)
    assert [f["id"] for f in body["features"]] == [open_walk.pk]
    body = json.loads(public.get("/api/v1/walks/", {"municipality": "091"}).content)
    assert body["count"] == 0


def test_it_joins_a_walk_with_its_code(public, walk):
    response = join(public, code=walk.join_code.lower(), display_name="Aino")
    assert response.status_code == 201, response.content
    body = response.json()
    participant = WalkParticipant.objects.get()
    assert body["key"] == participant.key
    assert (participant.walk, participant.display_name, participant.group) == (
        walk,
        "Aino",
        "youth",
    )
    assert body["walk"]["id"] == walk.pk
    assert "join_code" not in body["walk"]["properties"]
    # The key works straight away.
    me = public.get("/api/v1/observations/", HTTP_AUTHORIZATION=f"Participant {body['key']}")
    assert me.status_code == 200


def test_it_404s_an_unknown_code(public, walk):
    response = join(public, code="NOSUCHCD")
    assert response.status_code == 404
    assert "code" in response.json()
    assert not WalkParticipant.objects.exists()


def test_it_409s_a_closed_walk(public, walk):
    walk.state = WalkState.CLOSED
    walk.save()
    response = join(public, code=walk.join_code)
    assert response.status_code == 409
    assert not WalkParticipant.objects.exists()


def test_it_needs_the_privacy_notice_accepted(public, walk):
    response = join(public, code=walk.join_code, privacy_accepted=False)
    assert response.status_code == 400
    assert response.json() == {"privacy_accepted": ["Accept the privacy notice to join the walk."]}
    response = join(public, code=walk.join_code, group="aliens")
    assert response.status_code == 400 and "group" in response.json()
    assert not WalkParticipant.objects.exists()


def test_it_ignores_a_stale_key_when_joining(public, walk):
    response = join(public, code=walk.join_code, HTTP_AUTHORIZATION="Participant stale")
    assert response.status_code == 201


def test_it_refuses_an_unknown_participant_key(public, walk):
    response = public.get("/api/v1/observations/", HTTP_AUTHORIZATION="Participant nope")
    assert response.status_code in (401, 403)
    assert "Join the walk again" in response.json()["detail"]


def test_it_slows_down_someone_guessing_join_codes(public, walk, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "join", "3/minute")
    cache.clear()
    answers = [join(public, code=f"GUESS{n:03d}").status_code for n in range(4)]
    assert answers == [404, 404, 404, 429]
    assert join(public, code=walk.join_code).status_code == 429
    cache.clear()
