# SPDX-License-Identifier: EUPL-1.2
"""Creating observations: idempotent, one or a bulk, bad input refused with nothing written."""

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import override_settings

from tests.api.conftest import collection, feature
from walks.models import Observation, Visibility, WalkState

URL = "/api/v1/observations/"


def post(client, body, **extra):
    return client.post(URL, json.dumps(body), content_type="application/json", **extra)


def test_it_creates_an_observation_in_the_participants_walk(participant, walk, municipality):
    sent = feature(severity=4, light_condition="dark", walk=999)
    sent["properties"].pop("walk")
    response = post(participant, sent)
    assert response.status_code == 201, response.content
    body = json.loads(response.content)
    stored = Observation.objects.get()
    assert body["id"] == stored.pk
    assert str(stored.uuid) == sent["properties"]["uuid"]
    assert (stored.walk, stored.participant, stored.municipality) == (
        walk,
        participant.participant,
        municipality,
    )
    assert stored.district.name == "Länsi"  # the trigger placed it
    assert (stored.severity, stored.light_condition, stored.visibility) == (4, "dark", "public")


def test_it_takes_the_uuid_from_the_feature_id(participant, walk):
    sent = feature()
    sent["id"] = sent["properties"].pop("uuid")
    assert post(participant, sent).status_code == 201
    assert str(Observation.objects.get().uuid) == sent["id"]


def test_it_returns_the_stored_observation_when_a_create_is_repeated(participant, walk):
    sent = feature(description="Ensimmäinen")
    first = post(participant, sent)
    sent["properties"]["description"] = "Toinen yritys"
    again = post(participant, sent)
    assert (first.status_code, again.status_code) == (201, 200)
    assert json.loads(again.content)["properties"]["description"] == "Ensimmäinen"
    assert Observation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_stores_once_what_a_phone_sends_twice_at_once(seeded_taxonomy, participant, walk):
    """A retry that overlaps the first attempt: one is created, the other finds it, both
    answer with the same id (the insert waits for the other's commit, then looks it up)."""
    both = threading.Barrier(2)

    def send(sent):
        try:
            both.wait()
            response = post(participant, collection([sent]))
            assert response.status_code == 200, response.content
            (answer,) = response.json()
            return answer["result"], answer["id"]
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(2) as pool:
        for _ in range(8):
            sent = feature()
            answers = sorted(pool.map(send, [sent, sent]))
            assert [result for result, _id in answers] == ["created", "exists"]
            assert answers[0][1] == answers[1][1]
    assert Observation.objects.count() == 8


def test_it_refuses_a_uuid_another_participant_used(participant, other_participant):
    sent = feature()
    assert post(participant, sent).status_code == 201
    response = post(other_participant, sent)
    assert response.status_code == 409
    assert "uuid" in response.json()
    assert Observation.objects.count() == 1


def test_it_stores_a_line_as_a_stretch_with_its_middle_as_the_point(participant, walk):
    line = {"type": "LineString", "coordinates": [[26.91, 60.45], [26.93, 60.45]]}
    assert post(participant, feature(geometry=line, category="dark_spot")).status_code == 201
    stored = Observation.objects.get()
    assert stored.stretch.coords == ((26.91, 60.45), (26.93, 60.45))
    assert stored.geom.coords == pytest.approx((26.92, 60.45))


def test_it_makes_observations_in_sensitive_categories_internal(participant, public, walk):
    response = post(participant, feature(category="drugs"))
    assert response.status_code == 201
    assert Observation.objects.get().visibility == Visibility.INTERNAL
    assert json.loads(public.get(URL).content)["count"] == 0
    # The participant still sees their own.
    assert json.loads(participant.get(URL).content)["count"] == 1


def test_it_lets_a_planner_create_anywhere_the_point_decides(planner, municipality):
    response = post(planner, feature(visibility="internal"))
    assert response.status_code == 201, response.content
    stored = Observation.objects.get()
    assert (stored.municipality, stored.reporter, stored.walk) == (
        municipality,
        planner.user,
        None,
    )
    assert stored.visibility == "internal"


def test_it_stores_a_bulk_item_by_item(participant, walk):
    good = [feature() for _ in range(3)]
    bad = feature(category="no_such_thing")
    response = post(participant, collection([good[0], bad, good[1], good[2]]))
    assert response.status_code == 200, response.content
    answers = response.json()
    assert [a["result"] for a in answers] == ["created", "rejected", "created", "created"]
    assert answers[1]["errors"] == {"category": ["Unknown or inactive category: no_such_thing."]}
    assert answers[1]["uuid"] == bad["properties"]["uuid"]
    assert Observation.objects.count() == 3
    stored = dict(Observation.objects.values_list("uuid", "id"))
    assert all(stored[uuid.UUID(a["uuid"])] == a["id"] for a in answers if a["id"])


def test_it_stores_each_observation_once_when_a_bulk_is_sent_three_times(participant, walk):
    batch = collection([feature(lon=26.91 + i / 1000) for i in range(50)])
    answers = [post(participant, batch).json() for _ in range(3)]
    assert {a["result"] for a in answers[0]} == {"created"}
    assert {a["result"] for a in answers[1]} == {"exists"}
    assert [a["id"] for a in answers[2]] == [a["id"] for a in answers[0]]
    assert Observation.objects.count() == 50


def test_it_completes_a_bulk_that_was_cut_off_halfway(participant, walk):
    items = [feature(lon=26.91 + i / 1000) for i in range(40)]
    post(participant, collection(items[:20]))
    answers = post(participant, collection(items)).json()
    assert [a["result"] for a in answers] == ["exists"] * 20 + ["created"] * 20
    assert Observation.objects.count() == 40
    assert Observation.objects.values("uuid").distinct().count() == 40


def test_it_stores_a_uuid_repeated_within_one_bulk_once(participant, walk):
    item = feature()
    answers = post(participant, collection([item, item])).json()
    assert [a["result"] for a in answers] == ["created", "exists"]
    assert answers[0]["id"] == answers[1]["id"]
    assert Observation.objects.count() == 1


def test_it_accepts_500_items_in_a_few_queries(participant, walk, django_assert_max_num_queries):
    batch = collection([feature(lon=26.905 + i / 10000) for i in range(500)])
    with django_assert_max_num_queries(6):
        response = post(participant, batch)
    assert {a["result"] for a in response.json()} == {"created"}
    assert Observation.objects.count() == 500
    assert Observation.objects.filter(district__isnull=True).count() == 0


def test_it_refuses_more_than_500_items_and_writes_nothing(participant, walk):
    response = post(participant, collection([feature() for _ in range(501)]))
    assert response.status_code == 413
    assert response.json() == {"features": ["Send at most 500 observations at a time, not 501."]}
    assert Observation.objects.count() == 0


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_it_refuses_a_body_over_the_size_limit(participant, walk):
    response = post(participant, collection([feature() for _ in range(20)]))
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
    assert Observation.objects.count() == 0


def test_it_lets_a_participant_edit_their_own_while_the_walk_is_open(participant, walk):
    sent = feature(severity=2)
    pk = json.loads(post(participant, sent).content)["id"]
    patch = {"type": "Feature", "properties": {"severity": 5, "description": "Pahempi"}}
    response = participant.patch(f"{URL}{pk}/", json.dumps(patch), content_type="application/json")
    assert response.status_code == 200, response.content
    stored = Observation.objects.get()
    assert (stored.severity, stored.description) == (5, "Pahempi")
    move = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [26.96, 60.46]}}
    participant.patch(f"{URL}{pk}/", json.dumps(move), content_type="application/json")
    stored.refresh_from_db()
    assert stored.district.name == "Itä"
    walk.state = WalkState.CLOSED
    walk.save()
    response = participant.patch(f"{URL}{pk}/", json.dumps(patch), content_type="application/json")
    assert response.status_code == 403
    assert participant.delete(f"{URL}{pk}/").status_code == 403
    walk.state = WalkState.WALKING
    walk.save()
    assert participant.delete(f"{URL}{pk}/").status_code == 204
    assert not Observation.objects.exists()


def test_it_refuses_a_patch_that_moves_the_point_out_of_town(participant, walk):
    pk = json.loads(post(participant, feature()).content)["id"]
    move = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [60.46, 26.92]}}
    response = participant.patch(f"{URL}{pk}/", json.dumps(move), content_type="application/json")
    assert response.status_code == 400
    assert "geometry" in response.json()
    assert Observation.objects.get().geom.coords == (26.92, 60.46)


def test_it_refuses_a_closed_walks_participant_and_the_public(participant, public, walk):
    assert post(public, feature()).status_code in (401, 403)
    walk.state = WalkState.FOLLOW_UP
    walk.save()
    response = post(participant, feature())
    assert response.status_code == 403
    assert "closed" in response.json()["detail"]
    assert Observation.objects.count() == 0


# Bad input: a 4xx naming the field, and nothing written.

BAD_ITEMS = [
    ("not json at all", None, None),
    ({"type": "Point", "coordinates": [26.92, 60.46]}, None, "type"),
    (feature(geometry={"type": "Polygon", "coordinates": [[[26.9, 60.4]]]}), None, "geometry"),
    (feature(geometry={"type": "Point", "coordinates": [200, 60.46]}), None, "geometry"),
    (feature(geometry={"type": "Point", "coordinates": [26.92, 95]}), None, "geometry"),
    (feature(geometry={"type": "Point", "coordinates": ["26.92", 60.46]}), None, "geometry"),
    (feature(geometry={"type": "Point", "coordinates": [26.92]}), None, "geometry"),
    (feature(geometry={"type": "Point"}), None, "geometry"),
    (feature(geometry={"type": "LineString", "coordinates": [[26.92, 60.46]]}), None, "geometry"),
    (feature(lon=60.46, lat=26.92), "swapped", "geometry"),
    (feature(lon=25.0, lat=60.46), "far outside", "geometry"),
    (feature(category="no_such_thing"), None, "category"),
    (feature(category=None), None, "category"),
    (feature(severity=6), None, "severity"),
    (feature(severity=2.5), None, "severity"),
    (feature(perceived_safety=0), None, "perceived_safety"),
    (feature(light_condition="bright"), None, "light_condition"),
    (feature(observed_at="20.11.2026 18:30"), None, "observed_at"),
    (feature(accuracy_m=-1), None, "accuracy_m"),
    (feature(is_positive="yes"), None, "is_positive"),
    (feature(uuid="not-a-uuid"), None, "uuid"),
    (feature(uuid=None), None, "uuid"),
    (feature(favourite_colour="red"), None, "favourite_colour"),
    # PostgreSQL text cannot hold NUL: a 400, not a 500 from the database.
    (feature(description="dark\x00corner"), None, "description"),
    (feature(proposed_fix="\x00"), None, "proposed_fix"),
    (feature(visibility="internal"), "participants may not", "visibility"),
    ({**feature(), "properties": []}, None, "properties"),
    (
        {**feature(), "crs": {"type": "name", "properties": {"name": "EPSG:3067"}}},
        None,
        "crs",
    ),
    (
        feature(geometry={"type": "Point", "coordinates": [26.92, 60.46], "crs": {}}),
        None,
        "geometry",
    ),
]


@pytest.mark.parametrize(("body", "why", "field"), BAD_ITEMS)
def test_it_refuses_bad_input_and_writes_nothing(participant, walk, body, why, field):
    if isinstance(body, str):
        response = participant.post(URL, body, content_type="application/json")
    else:
        response = post(participant, body)
    assert response.status_code == 400, response.content
    if field:
        assert field in response.json(), response.json()
        assert all(isinstance(m, str) for m in response.json()[field])
    else:
        assert "JSON parse error" in response.json()["detail"]
    assert Observation.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "why", "field"), [b for b in BAD_ITEMS if b[2] not in (None, "type")]
)
def test_it_rejects_the_same_bad_items_inside_a_bulk(participant, walk, body, why, field):
    answers = post(participant, collection([body, feature()])).json()
    assert answers[0]["result"] == "rejected"
    assert field in answers[0]["errors"]
    assert answers[1]["result"] == "created"
    assert Observation.objects.count() == 1


def test_it_refuses_a_municipality_code_with_a_nul_from_staff(planner, municipality):
    response = post(planner, feature(municipality="285\x00"))
    assert response.status_code == 400, response.content
    assert "municipality" in response.json()
    assert Observation.objects.count() == 0


def test_it_explains_a_swapped_point(participant, walk):
    response = post(participant, feature(lon=60.46, lat=26.92))
    assert response.json() == {
        "geometry": [
            "The point is more than 1 km outside the municipality. "
            "Check that longitude comes before latitude."
        ]
    }


def test_it_accepts_a_point_just_outside_the_boundary(planner, municipality):
    # 26.98 is the east edge; 0.01° of longitude at 60.46° N is about 550 m.
    response = post(planner, feature(lon=26.99, lat=60.46, municipality="285"))
    assert response.status_code == 201, response.content
    assert Observation.objects.get().district is None


def test_it_accepts_an_explicit_wgs84_crs(participant, walk):
    sent = {
        **feature(),
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
    }
    assert post(participant, sent).status_code == 201


def test_it_answers_in_the_callers_language_structure(participant, walk):
    response = post(participant, feature(severity=9), HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"severity": ["Give a whole number from 1 to 5."]}


def test_it_refuses_something_that_is_not_geojson(participant, walk):
    for body in ([], {"type": "FeatureCollection"}, {"type": "FeatureCollection", "features": []}):
        assert post(participant, body).status_code == 400
    assert Observation.objects.count() == 0
