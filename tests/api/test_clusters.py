# SPDX-License-Identifier: EUPL-1.2
"""Clusters for a map view too full to draw: counts that agree with the list."""

import pytest

from api.views.clusters import mercator_cell
from tests.api.conftest import EAST, WEST
from walks.models import Visibility

VIEW = "bbox=26.90,60.44,26.98,60.48"


def test_it_counts_what_the_list_counts_in_cells_of_the_view(planner, make_observation):
    for _ in range(3):
        make_observation(at=WEST)
    make_observation(at=EAST)
    make_observation("pothole", at=EAST)

    body = planner.get(f"/api/v1/clusters/?{VIEW}&zoom=12").json()
    listed = planner.get(f"/api/v1/observations/?{VIEW}&limit=1").json()

    assert body["count"] == listed["count"] == 5
    # At zoom 12 a cluster is 64 px ≈ 1.2 km at 60°N: WEST and EAST are 2.2 km apart.
    # The cell of each point, as the Mercator formula in Python gives it:
    west_cell = "{}:{}".format(*mercator_cell(*WEST, 12))
    east_cell = "{}:{}".format(*mercator_cell(*EAST, 12))
    clusters = {f["id"]: f for f in body["features"]}
    assert set(clusters) == {west_cell, east_cell}
    assert clusters[west_cell]["properties"]["count"] == 3
    assert clusters[west_cell]["geometry"]["coordinates"] == list(WEST)
    assert clusters[east_cell]["properties"]["count"] == 2

    lighting = planner.get(f"/api/v1/clusters/?{VIEW}&zoom=12&theme=lighting").json()
    assert lighting["count"] == 4


def test_it_counts_only_what_the_caller_may_read(public, planner, make_observation):
    make_observation()
    make_observation(visibility=Visibility.INTERNAL)
    assert public.get(f"/api/v1/clusters/?{VIEW}&zoom=10").json()["count"] == 1
    assert planner.get(f"/api/v1/clusters/?{VIEW}&zoom=10").json()["count"] == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("zoom=12", "bbox"),
        (VIEW, "zoom"),
        (f"{VIEW}&zoom=30", "zoom"),
        (f"{VIEW}&zoom=3&limit=5", "limit"),
    ],
)
def test_it_400s_bad_parameters(planner, query, field):
    response = planner.get(f"/api/v1/clusters/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_it_sees_a_change_at_once_despite_the_cache(planner, make_observation):
    observation = make_observation()
    url = f"/api/v1/clusters/?{VIEW}&zoom=12&status=new"
    assert planner.get(url).json()["count"] == 1
    make_observation()
    assert planner.get(url).json()["count"] == 2
    observation.change_status("confirmed")
    assert planner.get(url).json()["count"] == 1
