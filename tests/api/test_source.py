# SPDX-License-Identifier: EUPL-1.2
"""Observation.source: every writer says who brought the observation in, and the filter
vocabulary (list, OGC, heat map; the exports in test_exports) narrows by it."""

import json
import uuid
from datetime import UTC, datetime

import pytest

from tests.api.conftest import feature
from walks.bulk import ObservationRow, insert_observations
from walks.models import Category, Observation, Source

URL = "/api/v1/observations/"


def post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


def test_a_participants_observation_comes_from_the_walk(participant, walk):
    assert post(participant, feature()).status_code == 201
    assert Observation.objects.get().source == Source.WALK


def test_a_planners_observation_comes_from_staff_or_from_the_walk_it_names(planner, walk):
    assert post(planner, feature(municipality="285")).status_code == 201
    assert post(planner, feature(walk=walk.pk)).status_code == 201
    assert sorted(Observation.objects.values_list("source", flat=True)) == ["staff", "walk"]


def test_a_load_is_an_import_unless_it_says(municipality):
    moment = datetime(2026, 11, 20, 16, tzinfo=UTC)

    def row(**fields):
        return ObservationRow(
            uuid=uuid.uuid4(),
            x=385000.0,
            y=6672000.0,
            category_id=Category.objects.get(code="lamp_out").pk,
            status="new",
            visibility="public",
            is_positive=False,
            light_condition="",
            position_source="gps",
            observed_at=moment,
            created_at=moment,
            updated_at=moment,
            **fields,
        )

    insert_observations([row(), row(source="survey")], municipality_id=municipality.pk, srid=3067)
    assert sorted(Observation.objects.values_list("source", flat=True)) == ["import", "survey"]


@pytest.fixture
def mixed(make_observation):
    make_observation(source=Source.WALK)
    make_observation(source=Source.RESIDENT)
    make_observation(source=Source.RESIDENT)
    make_observation(source=Source.IMPORT)


def test_the_list_filters_by_source_and_shows_it(public, mixed):
    answer = public.get(URL, {"source": "resident,import"}).json()
    assert answer["count"] == 3
    assert {f["properties"]["source"] for f in answer["features"]} == {"resident", "import"}


def test_an_unknown_source_is_a_clear_400(public, mixed):
    answer = public.get(URL, {"source": "neighbour"}, HTTP_ACCEPT_LANGUAGE="fi")
    assert answer.status_code == 400
    assert "neighbour" in json.dumps(answer.json())


def test_ogc_takes_source_as_a_queryable(public, mixed):
    answer = public.get("/ogc/collections/observations/items", {"source": "walk", "f": "json"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["numberMatched"] == 1


def test_the_heat_map_filters_by_source(planner, mixed):
    every = planner.get("/api/v1/heatmap/", {"municipality": "285", "cell": 250}).json()
    residents = planner.get(
        "/api/v1/heatmap/", {"municipality": "285", "cell": 250, "source": "resident"}
    ).json()
    assert sum(f["properties"]["count"] for f in every["features"]) == 4
    assert sum(f["properties"]["count"] for f in residents["features"]) == 2


def test_staff_narrow_the_district_picture_by_source(planner, public, mixed):
    url = "/api/v1/municipalities/285/picture/"
    every = planner.get(url).json()["municipality_total"]["total"]["observations"]
    residents = planner.get(url, {"source": "resident"}).json()
    assert (every, residents["municipality_total"]["total"]["observations"]) == (4, 2)
    assert planner.get(url, {"source": "neighbour"}).status_code == 400
    # The public's figures hold their suppression over one set of observations only.
    refused = public.get(url, {"source": "resident"})
    assert refused.status_code == 400
    assert "source" in refused.json()


def test_a_plan_action_takes_its_observations_from_one_source(planner, municipality, mixed):
    from tests.plans.conftest import make_plan

    plan = make_plan(municipality)
    west = municipality.districts.get(code="1")
    body = {"plan": plan.pk, "title": "Asukkaiden havainnot", "district": west.pk}
    body["filters"] = {"source": "resident"}
    answer = planner.post("/api/v1/actions/", json.dumps(body), content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["observations"] == 2
