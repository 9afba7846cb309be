# SPDX-License-Identifier: EUPL-1.2
"""Lines keep their direction: a walk's route and recorded track and an observation's
stretch come out of the API, the map workspace and every export format with their
vertices in the order they were stored (PostGIS 3.3's ST_ForcePolygonCCW reverses lines,
so RFC 7946's winding must touch polygons only).

The exports are read back with GDAL, as in test_exports; ogr2ogr reads the database in its
own connection, so the walks are committed once for this module and removed at its end.
"""

import json

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import LineString
from django.db import connection
from pyproj import Transformer
from rest_framework.test import APIClient

from tests.api.conftest import make_walk
from tests.api.test_exports import download, read_back
from tests.api.test_reference import ring_area
from tests.conftest import make_town
from walks.models import Category, Observation, ParticipantTrack, SafetyWalk, WalkParticipant

pytestmark = pytest.mark.django_db

# Drawn west to east with a bend: reversed, the first vertex would be the last.
ROUTE = ((26.905, 60.445), (26.93, 60.47), (26.95, 60.45), (26.975, 60.475))
TRACKS = (
    ((26.91, 60.46), (26.92, 60.465), (26.94, 60.455)),
    ((26.97, 60.47), (26.96, 60.45), (26.95, 60.446)),  # east to west
)
STRETCH = ((26.96, 60.45), (26.955, 60.46), (26.945, 60.47))
FORMATS = ("geojson", "gpkg", "csv", "kml", "shp.zip")


@pytest.fixture(scope="module")
def town(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_"), "not the test database"
        town = make_town()
        route = LineString(ROUTE, srid=4326)
        planned = make_walk(town, "Suunniteltu reitti", route=route)
        recorded = make_walk(town, "Kuljettu reitti", route=route)
        for line in TRACKS:
            participant = WalkParticipant.objects.create(walk=recorded, group="residents")
            ParticipantTrack.record(participant, LineString(line, srid=4326))
        Observation.objects.create(
            municipality=town,
            category=Category.objects.get(code="dark_spot"),
            geom=LineString(STRETCH, srid=4326).interpolate_normalized(0.5),
            stretch=LineString(STRETCH, srid=4326),
            walk=planned,
        )
        Observation.objects.create(  # a point only: not in the stretches layer
            municipality=town,
            category=Category.objects.get(code="lamp_out"),
            geom=LineString(STRETCH, srid=4326).interpolate_normalized(0.25),
        )
        User.objects.create(username="dir-planner", is_superuser=True)
        try:
            yield {"town": town, "planned": planned, "recorded": recorded}
        finally:
            Observation.objects.filter(municipality=town).delete()
            SafetyWalk.objects.filter(municipality=town).delete()
            User.objects.filter(username="dir-planner").delete()
            town.delete()


@pytest.fixture
def planner(town):
    client = APIClient()
    client.force_authenticate(User.objects.get(username="dir-planner"))
    return client


def assert_same_line(coordinates, expected, srid=4326):
    """Vertex by vertex, in order, within 1 cm (or 1e-7°) after moving `expected` to srid."""
    to_crs = Transformer.from_crs(4326, srid, always_xy=True)
    tolerance = 1e-7 if srid == 4326 else 0.01
    assert len(coordinates) == len(expected), coordinates
    for (x, y, *_z), position in zip(coordinates, expected, strict=True):
        ex, ey = to_crs.transform(*position)
        assert abs(x - ex) < tolerance and abs(y - ey) < tolerance, (coordinates, expected)


def assert_same_lines(multi, expected, srid=4326):
    """A MultiLineString's parts, in any order, each in its stored direction: every
    expected line is matched to the part starting nearest its first vertex."""
    to_crs = Transformer.from_crs(4326, srid, always_xy=True)
    assert len(multi) == len(expected)
    for line in expected:
        x0, y0 = to_crs.transform(*line[0])
        part = min(multi, key=lambda p: (p[0][0] - x0) ** 2 + (p[0][1] - y0) ** 2)
        assert_same_line(part, line, srid)


def exported_walks(target):
    """Title -> list of lines. GDAL reads a one-part multi-line back from GeoJSON and
    Shapefile as a LineString, and KML keeps the title as the placemark's Name."""
    walks = {}
    for feature in read_back(target):
        title = feature["properties"].get("title") or feature["properties"]["Name"]
        geometry = feature["geometry"]
        single = geometry["type"] == "LineString"
        walks[title] = [geometry["coordinates"]] if single else geometry["coordinates"]
    return walks


def test_it_keeps_the_stored_direction_in_the_database(town):
    # The reference: what is stored is what was written.
    assert town["planned"].route.coords == ROUTE
    observation = Observation.objects.get(stretch__isnull=False)
    assert observation.stretch.coords == STRETCH


def test_it_returns_a_walk_route_in_its_direction(planner, town):
    walk = town["planned"]
    body = json.loads(planner.get(f"/api/v1/walks/{walk.pk}/").content)
    assert body["geometry"]["type"] == "LineString"
    assert_same_line(body["geometry"]["coordinates"], ROUTE)
    listed = json.loads(planner.get("/api/v1/walks/", {"municipality": "285"}).content)
    for feature in listed["features"]:
        assert_same_line(feature["geometry"]["coordinates"], ROUTE)


def test_it_returns_an_observation_stretch_in_its_direction(planner, town):
    observation = Observation.objects.get(stretch__isnull=False)
    body = json.loads(planner.get(f"/api/v1/observations/{observation.pk}/").content)
    assert_same_line(body["properties"]["stretch"]["coordinates"], STRETCH)
    listed = json.loads(planner.get("/api/v1/observations/", {"municipality": "285"}).content)
    (feature,) = [f for f in listed["features"] if f["properties"]["stretch"]]
    assert_same_line(feature["properties"]["stretch"]["coordinates"], STRETCH)


def test_it_still_turns_polygon_rings_counter_clockwise(planner, town):
    body = json.loads(planner.get("/api/v1/municipalities/285/").content)
    ring = body["geometry"]["coordinates"][0][0]
    assert ring_area(ring) > 0


def test_it_gives_the_map_workspace_routes_and_tracks_in_their_direction(town, client):
    client.force_login(User.objects.get(username="dir-planner"))
    body = json.loads(client.get("/map/walks/", {"municipality": "285"}).content)
    by_title = {f["properties"]["title"]: f["properties"] for f in body["features"]}
    assert_same_line(by_title["Suunniteltu reitti"]["route"]["coordinates"], ROUTE)
    assert_same_lines(by_title["Kuljettu reitti"]["track"]["coordinates"], TRACKS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_exports_routes_and_tracks_in_their_direction(planner, town, tmp_path, fmt):
    target, _ = download(planner, f"walks.{fmt}", tmp_path, municipality="285", crs="EPSG:4326")
    walks = exported_walks(target)
    # The route of a walk without a track, else every participant's track.
    (route,) = walks["Suunniteltu reitti"]
    assert_same_line(route, ROUTE)
    assert_same_lines(walks["Kuljettu reitti"], TRACKS)


@pytest.mark.parametrize("fmt", ["gpkg", "shp.zip"])
def test_it_exports_directions_in_the_national_crs_too(planner, town, tmp_path, fmt):
    target, _ = download(planner, f"walks.{fmt}", tmp_path, municipality="285")
    walks = exported_walks(target)
    (route,) = walks["Suunniteltu reitti"]
    assert_same_line(route, ROUTE, 3067)
    assert_same_lines(walks["Kuljettu reitti"], TRACKS, 3067)


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_exports_stretches_in_their_direction(planner, town, tmp_path, fmt):
    target, _ = download(planner, f"stretches.{fmt}", tmp_path, crs="EPSG:4326")
    (feature,) = read_back(target)
    assert feature["geometry"]["type"] == "LineString"
    assert_same_line(feature["geometry"]["coordinates"], STRETCH)


def test_it_exports_stretches_in_the_national_crs_and_in_all_gpkg(planner, town, tmp_path):
    target, _ = download(planner, "all.gpkg", tmp_path, municipality="285")
    (feature,) = read_back(target, "stretches")
    assert_same_line(feature["geometry"]["coordinates"], STRETCH, 3067)
    # Only observations drawn as a line are in the layer; all are points in "observations".
    assert len(read_back(target, "observations")) == 2
