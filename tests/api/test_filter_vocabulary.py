# SPDX-License-Identifier: EUPL-1.2
"""One filter vocabulary (walks.filters): every consumer takes every filter, read alike.

The consumers: the observation list, the clusters, the heat map, an action's `filters`
(hotspot → action), the exports, their OpenAPI parameters, and the map workspace's
configuration. A name in one and not in another fails the first test; the second walks
every filter, with a good value and a bad one, through every endpoint.

The district picture is not a consumer: it takes a period (start, end) and one theme, and
what it hides from the public (analysis.picture) holds because every published figure is
over the same observations; filters would let a reader difference a hidden cell out.
"""

import json
import re

import pytest
from django.test import Client

from analysis.exports.layers import LAYERS
from api.exports import PARAMETERS as EXPORT_PARAMETERS
from api.filters import ObservationFilters, ObservationListParameters
from api.views.clusters import ClusterParameters
from api.views.heatmap import HeatmapParameters
from tests.plans.conftest import make_plan
from walks.filters import FILTERS

pytestmark = pytest.mark.django_db

# What each consumer takes besides the filters: paging, sorting, the grid, the file, and
# DRF's `format` in the OpenAPI document.
NOT_FILTERS = {"limit", "offset", "ordering", "zoom", "cell", "layer", "fmt", "crs", "lang"}
NOT_FILTERS |= {"format"}


def workspace_filters(user) -> list[str]:
    client = Client()
    client.force_login(user)
    page = client.get("/map/").content.decode()
    config = re.search(r'<script id="workspace-config"[^>]*>(.*?)</script>', page).group(1)
    return json.loads(config)["filters"]


def schema_parameters(path: str) -> set[str]:
    document = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return {p["name"] for p in document["paths"][path]["get"]["parameters"] if p["in"] == "query"}


CONSUMERS = {
    "list": lambda planner: set(ObservationListParameters().fields),
    "clusters": lambda planner: set(ClusterParameters().fields),
    "heat map": lambda planner: set(HeatmapParameters().fields),
    "action filters": lambda planner: set(ObservationFilters().fields),
    "exports": lambda planner: set(LAYERS["observations"].filters),
    "exports (parameters)": lambda planner: {p.name for p in EXPORT_PARAMETERS},
    "exports (OpenAPI)": lambda planner: schema_parameters("/api/v1/exports/{layer}.{fmt}"),
    "list (OpenAPI)": lambda planner: schema_parameters("/api/v1/observations/"),
    "clusters (OpenAPI)": lambda planner: schema_parameters("/api/v1/clusters/"),
    "heat map (OpenAPI)": lambda planner: schema_parameters("/api/v1/heatmap/"),
    "map workspace": lambda planner: set(workspace_filters(planner.user)),
}


@pytest.mark.parametrize("consumer", list(CONSUMERS))
def test_every_consumer_takes_exactly_the_filters_of_the_vocabulary(consumer, planner):
    names = CONSUMERS[consumer](planner) - NOT_FILTERS

    assert names == set(FILTERS)


def test_the_workspace_lists_the_filters_in_the_vocabulary_order(planner):
    assert workspace_filters(planner.user) == list(FILTERS)


# (good, bad) text of every filter; a good value is read the same everywhere, a bad one is
# a 400 naming the filter everywhere.
VALUES = {
    "bbox": (lambda town: "26.90,60.44,26.98,60.48", "26.9,60.4,26.8"),
    "municipality": (lambda town: "285", "nowhere"),
    "district": (lambda town: str(town.districts.get(code="1").pk), "west"),
    "category": (lambda town: "lamp_out,pothole", "no_such_category"),
    "theme": (lambda town: "lighting", "no_such_theme"),
    "status": (lambda town: "new,confirmed", "lost"),
    "source": (lambda town: "walk,resident", "neighbour"),
    "moderation": (lambda town: "pending", "maybe"),
    "walk": (lambda town: str(town.walks.get().pk), "999999"),
    "severity_min": (lambda town: "2", "9"),
    "severity_max": (lambda town: "4", "0"),
    "observed_after": (lambda town: "2026-01-01", "yesterday"),
    "observed_before": (lambda town: "2099-01-01T12:00:00+02:00", "tomorrow"),
    "light": (lambda town: "dark,dusk", "bright"),
    "positive": (lambda town: "false", "maybe"),
    "unit": (lambda town: "street_lighting", "no_such_unit"),
    "updated_since": (lambda town: "2026-01-01T00:00:00Z", "now"),
}
VIEW = "26.90,60.44,26.98,60.48"


def through_every_consumer(client, plan, name, value) -> dict:
    """The answer of every endpoint that takes observation filters, given one filter."""
    district = plan.municipality.districts.get(code="1")
    action = {"plan": plan.pk, "title": "Valoa", "district": district.pk, "filters": {}}
    action["filters"][name] = value
    clusters = {"bbox": VIEW, "zoom": 12, name: value}
    heatmap = {"municipality": "285", name: value}
    return {
        "list": client.get("/api/v1/observations/", {name: value}),
        "clusters": client.get("/api/v1/clusters/", clusters),
        "heat map": client.get("/api/v1/heatmap/", heatmap),
        "action": client.post(
            "/api/v1/actions/", json.dumps(action), content_type="application/json"
        ),
        "export": client.get("/api/v1/exports/observations.geojson", {name: value}),
    }


@pytest.mark.parametrize("name", list(FILTERS))
def test_every_filter_goes_through_every_consumer(name, planner, municipality, walk):
    plan = make_plan(municipality)
    good, bad = VALUES[name]

    answers = through_every_consumer(planner, plan, name, good(municipality))
    assert {consumer: r.status_code for consumer, r in answers.items()} == {
        "list": 200,
        "clusters": 200,
        "heat map": 200,
        "action": 201,
        "export": 200,
    }

    refused = through_every_consumer(planner, plan, name, bad)
    assert {consumer: r.status_code for consumer, r in refused.items()} == dict.fromkeys(
        answers, 400
    )
    for consumer in ("list", "clusters", "heat map"):
        assert list(refused[consumer].json()) == [name]
    assert list(refused["action"].json()["filters"]) == [name]
    assert refused["export"].json()["parameter"] == name
