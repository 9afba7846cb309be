# SPDX-License-Identifier: EUPL-1.2
"""Clusters for a map view too full to draw: counts that agree with the list."""

import random

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def python_clusters(observations, bbox, zoom) -> dict:
    """The observations in the bbox binned by the Mercator formula in Python."""
    x0, y0, x1, y1 = bbox
    found = {}
    for observation in observations:
        lon, lat = observation.geom.coords
        if x0 <= lon <= x1 and y0 <= lat <= y1:
            cell = "{}:{}".format(*mercator_cell(lon, lat, zoom))
            found[cell] = found.get(cell, 0) + 1
    return found


@pytest.mark.parametrize("seed", [1, 2])
def test_the_cells_kept_on_write_count_a_towns_view_as_its_points_do(
    public, planner, municipality, make_observation, seed
):
    """A view of the whole town is summed from geo_clustercell (geo migration 0005) and the
    points around its edges; every cluster must be what binning the points gives, for
    the public and for a planner, at every zoom, whatever the bbox cuts through."""
    rng = random.Random(seed)
    made = []
    for _ in range(150):
        at = (rng.uniform(26.90, 26.98), rng.uniform(60.44, 60.48))
        visibility = rng.choice([Visibility.PUBLIC, Visibility.PUBLIC, Visibility.INTERNAL])
        made.append(make_observation(at=at, visibility=visibility))
    public_ones = [o for o in made if o.visibility == Visibility.PUBLIC]
    # Edges through the points: a point on the bbox's edge is in the view.
    west_edge = next(o.geom.x for o in made if o.geom.x < 26.95)
    bbox = (west_edge, rng.uniform(60.441, 60.45), rng.uniform(26.96, 26.975), 60.479)
    view = "bbox={},{},{},{}".format(*bbox)
    for zoom in (10, 13, 15, 16, 17):
        for client, readable in ((planner, made), (public, public_ones)):
            with CaptureQueriesContext(connection) as queries:
                body = client.get(f"/api/v1/clusters/?municipality=285&{view}&zoom={zoom}").json()
            summed = any("geo_clustercell" in q["sql"] for q in queries.captured_queries)
            assert summed == (zoom <= 16), zoom
            expected = python_clusters(readable, bbox, zoom)
            assert {f["id"]: f["properties"]["count"] for f in body["features"]} == expected
            assert body["count"] == sum(expected.values()) > 0
            # The list's count of the same view, a full page: also from the kept cells.
            with CaptureQueriesContext(connection) as queries:
                listed = client.get(f"/api/v1/observations/?municipality=285&{view}&limit=1")
            assert any("geo_clustercell" in q["sql"] for q in queries.captured_queries)
            assert listed.json()["count"] == body["count"]


def test_a_cluster_follows_a_point_moved_within_its_kept_cell(planner, make_observation):
    observation = make_observation(at=WEST)
    make_observation(at=WEST)
    url = "/api/v1/clusters/?municipality=285&bbox=26.90,60.44,26.98,60.48&zoom=14"
    [before] = planner.get(url).json()["features"]
    assert before["geometry"]["coordinates"] == list(WEST)
    observation.geom = Point(WEST[0] + 0.0002, WEST[1], srid=4326)  # 11 m east
    observation.save()
    [after] = planner.get(url).json()["features"]
    assert after["id"] == before["id"]
    assert after["properties"]["count"] == 2
    assert after["geometry"]["coordinates"] == [round(WEST[0] + 0.0001, 6), WEST[1]]


def test_a_filtered_view_counts_its_points(planner, make_observation):
    make_observation(at=WEST)
    make_observation("pothole", at=WEST)
    url = "/api/v1/clusters/?municipality=285&bbox=26.90,60.44,26.98,60.48&zoom=12"
    with CaptureQueriesContext(connection) as queries:
        body = planner.get(url + "&theme=lighting").json()
    assert not any("geo_clustercell" in q["sql"] for q in queries.captured_queries)
    assert body["count"] == 1
    assert planner.get(url).json()["count"] == 2
