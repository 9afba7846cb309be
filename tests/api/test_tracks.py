# SPDX-License-Identifier: EUPL-1.2
"""PUT /api/v1/walks/<id>/track/: a participant's recorded route, whole, replacing the last."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from tests.api.conftest import client_with, participant_client
from walks.models import ParticipantTrack, SafetyWalk, WalkState

pytestmark = pytest.mark.django_db

A = [[26.910, 60.450], [26.912, 60.451], [26.915, 60.452]]
B = [[26.950, 60.460], [26.951, 60.462]]


def line(coordinates):
    return {"type": "LineString", "coordinates": coordinates}


def put(client, walk, body):
    return client.put(
        f"/api/v1/walks/{walk.pk}/track/", data=json.dumps(body), content_type="application/json"
    )


def walk_track_sql(walk) -> tuple[int, int, str]:
    """(lines, vertices, type) of the walk's recorded track, as PostGIS sees it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_NumGeometries(track), ST_NPoints(track), GeometryType(track)"
            " FROM walks_safetywalk WHERE id = %s",
            [walk.pk],
        )
        return cursor.fetchone()


def test_it_stores_the_track_and_makes_it_the_walks(participant, walk):
    response = put(participant, walk, line(A))
    assert response.status_code == 200, response.content
    assert response.json()["vertices"] == 3
    track = ParticipantTrack.objects.get(participant=participant.participant)
    assert [list(p) for p in track.geom.coords] == A
    # SELECT ST_NumGeometries(track), ST_NPoints(track), GeometryType(track): one line of 3.
    assert walk_track_sql(walk) == (1, 3, "MULTILINESTRING")


def test_it_replaces_the_last_upload_and_collects_every_participants_track(participant, walk):
    second = participant_client(walk)
    assert put(participant, walk, line(A[:2])).status_code == 200
    assert put(second, walk, line(B)).status_code == 200
    assert put(participant, walk, line(A)).status_code == 200
    assert put(participant, walk, line(A)).status_code == 200  # a repeated upload changes nothing
    assert ParticipantTrack.objects.filter(participant__walk=walk).count() == 2
    # The walk's track: A (3 positions) and B (2), as one MultiLineString.
    assert walk_track_sql(walk) == (2, 5, "MULTILINESTRING")
    walk.refresh_from_db()
    lines = sorted([list(map(list, part.coords)) for part in walk.track])
    assert lines == sorted([A, B])


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_track_when_participants_upload_at_once(seeded_taxonomy, walk):
    """Uploads commit on their own and a join that waited for the walk's lock may skip:
    whatever the interleaving, the walk's track ends with every participant's last upload."""
    phones = [participant_client(walk) for _ in range(4)]

    def walking(n):
        try:
            for step in range(6):
                coordinates = [[26.90 + n / 100, 60.45 + k / 1000] for k in range(step + 2)]
                assert put(phones[n], walk, line(coordinates)).status_code == 200
            return coordinates
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(len(phones)) as pool:
        last = list(pool.map(walking, range(len(phones))))
    walk.refresh_from_db()
    lines = sorted([list(map(list, part.coords)) for part in walk.track])
    assert lines == sorted(last)
    # Four lines of 7 positions each: SELECT ST_NumGeometries(track), ST_NPoints(track) ...
    assert walk_track_sql(walk) == (4, 28, "MULTILINESTRING")


def test_it_accepts_a_feature_holding_the_line(participant, walk):
    response = put(participant, walk, {"type": "Feature", "geometry": line(B), "properties": {}})
    assert response.status_code == 200
    assert walk_track_sql(walk) == (1, 2, "MULTILINESTRING")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (line([[26.91, 60.45]]), "at least two positions"),
        (line([[26.91, 60.45], [26.91, 60.45]]), "two different positions"),
        (line([[26.91, 60.45], [181, 60.45]]), "Longitude must be within"),
        (line([[26.91, 60.45], [26.91, 91]]), "Longitude must be within"),
        (line([[26.91, 60.45], ["26.9", 60.45]]), "must be numbers"),
        (line([[26.91, 60.45], [26.92]]), "A position is"),
        ({"type": "Point", "coordinates": [26.91, 60.45]}, "GeoJSON LineString"),
        ([], "GeoJSON LineString"),
        (
            {**line(A), "crs": {"type": "name", "properties": {"name": "EPSG:3067"}}},
            "Only WGS84",
        ),
        (
            line([[26.91 + n * 1e-6, 60.45] for n in range(ParticipantTrack.MAX_VERTICES + 1)]),
            "at most 20000 positions",
        ),
    ],
)
def test_it_refuses_a_bad_track_and_changes_nothing(participant, walk, body, message):
    assert put(participant, walk, line(B)).status_code == 200
    response = put(participant, walk, body)
    assert response.status_code == 400
    assert message in " ".join(response.json()["geometry"])
    track = ParticipantTrack.objects.get(participant=participant.participant)
    assert [list(p) for p in track.geom.coords] == B


def test_it_takes_the_largest_track_allowed(participant, walk):
    coordinates = [[26.91 + n * 1e-6, 60.45] for n in range(ParticipantTrack.MAX_VERTICES)]
    assert put(participant, walk, line(coordinates)).status_code == 200
    assert walk_track_sql(walk) == (1, ParticipantTrack.MAX_VERTICES, "MULTILINESTRING")


def test_it_refuses_a_closed_walk(participant, walk):
    SafetyWalk.objects.filter(pk=walk.pk).update(state=WalkState.FOLLOW_UP)
    response = put(participant, walk, line(A))
    assert response.status_code == 409
    assert "closed" in response.json()["detail"]
    assert not ParticipantTrack.objects.exists()
    assert walk_track_sql(walk) == (None, None, None)


def test_it_refuses_everyone_but_the_walks_participants(
    walk, other_participant, public, lighting_staff, planner, admin
):
    assert put(other_participant, walk, line(A)).status_code == 403
    assert put(public, walk, line(A)).status_code in (401, 403)
    # 403 rather than 401: DRF answers with the first authenticator's (session) status.
    stale = put(client_with("Participant not-a-key"), walk, line(A))
    assert stale.status_code in (401, 403)
    assert "Join the walk again" in stale.json()["detail"]
    for staff in (lighting_staff, planner, admin):
        assert put(staff, walk, line(A)).status_code == 403
    assert not ParticipantTrack.objects.exists()
    assert walk_track_sql(walk) == (None, None, None)


def test_it_says_404_for_a_walk_that_does_not_exist(participant, walk):
    response = participant.put(
        "/api/v1/walks/999999/track/", data=json.dumps(line(A)), content_type="application/json"
    )
    assert response.status_code == 404
