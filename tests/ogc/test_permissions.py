# SPDX-License-Identifier: EUPL-1.2
"""Who sees what at /ogc/ is exactly who sees what in the REST API, role by role."""

import pytest
from django.contrib.gis.geos import LineString, MultiLineString

from tests.ogc.conftest import ids

pytestmark = pytest.mark.django_db

PERSONAS = [
    "public",
    "participant",
    "other_participant",
    "lighting_staff",
    "streets_staff",
    "planner",
    "admin",
]
INTERNAL_READERS = {"lighting_staff", "streets_staff", "planner", "admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_each_role_the_observations_the_rest_api_shows(personas, seen, persona):
    client = personas[persona]
    ogc = client.get("/ogc/collections/observations/items")
    rest = client.get("/api/v1/observations/")
    assert ogc.status_code == rest.status_code == 200
    assert ids(ogc) == ids(rest)
    assert ogc.json()["numberMatched"] == rest.json()["count"]
    expected = {
        "public": {"public"},
        "participant": {"public", "own"},
        "other_participant": {"public"},
    }.get(persona, {"public", "internal", "sensitive", "own"})
    assert ids(ogc) == {seen[name].pk for name in expected}
    # Internal properties only for those who read internal observations.
    (first, *_) = ogc.json()["features"]
    assert ("visibility" in first["properties"]) == (persona in INTERNAL_READERS)
    # One by one too: what the list hides is a 404.
    for name, observation in seen.items():
        single = client.get(f"/ogc/collections/observations/items/{observation.pk}")
        assert single.status_code == (200 if name in expected else 404)


def test_the_public_never_learns_who_reported(public, seen):
    properties = public.get("/ogc/collections/observations/items").json()["features"][0]
    assert not {"participant", "reporter", "visibility"} & set(properties["properties"])


@pytest.mark.parametrize("persona", PERSONAS)
def test_recorded_tracks_are_for_staff_planners_and_administrators(personas, walk, persona):
    walk.track = MultiLineString(LineString((26.91, 60.45), (26.92, 60.46)), srid=4326)
    walk.save()
    client = personas[persona]
    listed = {c["id"] for c in client.get("/ogc/collections").json()["collections"]}
    items = client.get("/ogc/collections/tracks/items")
    if persona in INTERNAL_READERS:
        assert "tracks" in listed
        assert items.status_code == 200
        (feature,) = items.json()["features"]
        assert feature["geometry"]["type"] == "MultiLineString"
        assert feature["id"] == walk.pk
    else:
        assert "tracks" not in listed
        assert items.status_code == 404
        assert client.get("/ogc/collections/tracks").status_code == 404
        assert "/collections/tracks" not in str(client.get("/ogc/api").json()["paths"])


@pytest.mark.parametrize("persona", PERSONAS)
def test_join_codes_stay_with_planners_and_administrators(personas, walk, persona):
    features = personas[persona].get("/ogc/collections/walks/items").json()["features"]
    assert len(features) == 2  # the participants' two walks
    for feature in features:
        assert ("join_code" in feature["properties"]) == (persona in {"planner", "admin"})


def test_a_participant_key_that_is_not_valid_is_refused(public):
    public.credentials(HTTP_AUTHORIZATION="Participant nonsense")
    response = public.get("/ogc/collections/observations/items")
    assert response.status_code in (401, 403)
    assert "key" in response.json()["description"]
