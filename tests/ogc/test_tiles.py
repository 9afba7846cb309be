# SPDX-License-Identifier: EUPL-1.2
"""Vector tiles at /tiles/: read back with GDAL's MVT driver and checked against the
database, per role, with TileJSON and ETag revalidation."""

import json
import math
import subprocess

import pytest
from django.contrib.gis.geos import Point
from pyproj import Transformer

from tests.conftest import EAST, ELSEWHERE, WEST
from walks.models import Category, Observation, Visibility

pytestmark = pytest.mark.django_db

Z = 14


def tile_of(lon: float, lat: float, z: int = Z) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def read_tile(tmp_path, content: bytes, layer: str, z: int, x: int, y: int) -> list[dict]:
    """The tile's features by GDAL's MVT driver, which georeferences it from z/x/y.pbf."""
    folder = tmp_path / layer / str(z) / str(x)
    folder.mkdir(parents=True, exist_ok=True)
    tile = folder / f"{y}.pbf"
    tile.write_bytes(content)
    done = subprocess.run(
        ["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", str(tile), layer],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)["features"]


def test_gdal_reads_the_observations_tile_the_caller_may_see(
    tmp_path, public, planner, make_observation
):
    shown = [make_observation(at=WEST), make_observation(at=(WEST[0] + 0.001, WEST[1]))]
    internal = make_observation(at=WEST, visibility=Visibility.INTERNAL)
    make_observation(at=EAST)  # in another tile
    x, y = tile_of(*WEST)
    to_mercator = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    # One tile unit: the world's width / 2^z / 4096.
    unit = 2 * 20037508.342789244 / 2**Z / 4096
    for client, expected in ((public, shown), (planner, [*shown, internal])):
        response = client.get(f"/tiles/observations/{Z}/{x}/{y}.pbf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
        features = read_tile(tmp_path, response.content, "observations", Z, x, y)
        by_id = {f["properties"]["mvt_id"]: f for f in features}
        assert set(by_id) == {o.pk for o in expected}
        for observation in expected:
            feature = by_id[observation.pk]
            assert feature["properties"]["category"] == observation.category.code
            position = to_mercator.transform(observation.geom.x, observation.geom.y)
            assert feature["geometry"]["coordinates"] == pytest.approx(position, abs=unit)


def test_gdal_reads_the_districts_tile(tmp_path, public, municipality):
    x, y = tile_of(26.94, 60.46, 12)
    response = public.get(f"/tiles/districts/12/{x}/{y}.pbf")
    features = read_tile(tmp_path, response.content, "districts", 12, x, y)
    names = {f["properties"]["name"] for f in features}
    # SELECT name FROM geo_district: both districts touch the tile around their border.
    assert names == {"Länsi", "Itä"}
    assert {f["geometry"]["type"] for f in features} <= {"Polygon", "MultiPolygon"}


def test_an_unchanged_tile_is_a_304_and_a_changed_one_is_not(public, make_observation):
    made = make_observation(at=WEST)
    x, y = tile_of(*WEST)
    url = f"/tiles/observations/{Z}/{x}/{y}.pbf"
    first = public.get(url)
    etag = first["ETag"]
    assert public.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    Observation.objects.filter(pk=made.pk).update(severity=5)
    made.save()  # updated_at moves: the stamp changes
    changed = public.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_it_describes_each_layer_in_tilejson(public):
    document = public.get("/tiles/observations.json").json()
    assert document["tilejson"] == "3.0.0"
    assert document["tiles"] == ["http://testserver/tiles/observations/{z}/{x}/{y}.pbf"]
    assert document["vector_layers"][0]["id"] == "observations"
    assert "category" in document["vector_layers"][0]["fields"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/tiles/nothing/1/0/0.pbf", 404),
        ("/tiles/observations/1/2/0.pbf", 404),
        ("/tiles/observations/23/0/0.pbf", 404),
        ("/tiles/observations/1/0/0.pbf?colour=red", 400),
        ("/tiles/nothing.json", 404),
    ],
)
def test_it_refuses_what_is_not_a_tile(public, path, status):
    assert public.get(path).status_code == status


def test_up_to_zoom_12_observations_come_as_heat_map_cells(
    tmp_path, public, planner, make_observation
):
    for _ in range(3):
        make_observation(at=WEST, severity=2)
    for _ in range(2):
        make_observation(at=EAST, severity=None)
    z = 10
    x, y = tile_of(*WEST, z)
    assert (x, y) == tile_of(*EAST, z)
    to_lonlat = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    # The public does not see a cell of fewer than 3 (the heat map's rule); a planner does.
    for client, expected in ((public, {(3, 6)}), (planner, {(3, 6), (2, 6)})):
        response = client.get(f"/tiles/observations/{z}/{x}/{y}.pbf")
        assert response.status_code == 200
        features = read_tile(tmp_path, response.content, "observations", z, x, y)
        found = {(f["properties"]["count"], f["properties"]["weight"]) for f in features}
        assert found == expected  # weight: severity 2 × 3; a missing severity weighs 3
        for feature in features:
            lon, lat = to_lonlat.transform(*feature["geometry"]["coordinates"])
            near = WEST if feature["properties"]["count"] == 3 else EAST
            # The cell at zoom 10 is 2 km: its centre lies within one cell of the points.
            assert abs(lon - near[0]) < 0.04 and abs(lat - near[1]) < 0.02


def cells_of(tmp_path, client, z: int, x: int, y: int) -> list[tuple[int, int]]:
    """(count, weight) of each heat-map cell in the caller's observations tile."""
    response = client.get(f"/tiles/observations/{z}/{x}/{y}.pbf")
    assert response.status_code == 200
    if response.content == b"":  # a tile without features has no layer either
        return []
    features = read_tile(tmp_path, response.content, "observations", z, x, y)
    return sorted((f["properties"]["count"], f["properties"]["weight"]) for f in features)


def test_a_kept_low_zoom_tile_follows_the_observations_at_once(tmp_path, public, make_observation):
    for _ in range(3):
        make_observation(at=WEST, severity=2)
    z = 10
    x, y = tile_of(*WEST, z)
    assert cells_of(tmp_path, public, z, x, y) == [(3, 6)]
    assert cells_of(tmp_path, public, z, x, y) == [(3, 6)]  # now from the cache
    added = make_observation(at=WEST, severity=2)
    assert cells_of(tmp_path, public, z, x, y) == [(4, 8)]
    added.severity = 5
    added.save()
    assert cells_of(tmp_path, public, z, x, y) == [(4, 11)]
    added.visibility = Visibility.INTERNAL
    added.save()
    assert cells_of(tmp_path, public, z, x, y) == [(3, 6)]


def test_a_category_made_sensitive_leaves_the_public_tiles_at_once(
    tmp_path, public, make_observation
):
    for _ in range(3):
        make_observation("lamp_out", at=WEST)
    for z in (10, Z):
        x, y = tile_of(*WEST, z)
        assert public.get(f"/tiles/observations/{z}/{x}/{y}.pbf").status_code == 200  # kept
    Category.objects.filter(code="lamp_out").update(is_sensitive=True)
    x, y = tile_of(*WEST, 10)
    assert cells_of(tmp_path, public, 10, x, y) == []
    x, y = tile_of(*WEST, Z)
    assert public.get(f"/tiles/observations/{Z}/{x}/{y}.pbf").content == b""


def test_kept_tiles_never_show_one_caller_what_another_may_read(
    tmp_path, admin, planner, public, make_observation, other_town
):
    for visibility in (Visibility.PUBLIC, Visibility.INTERNAL):
        for _ in range(3):
            make_observation(at=WEST, visibility=visibility)
    # Three internal observations of the other town, whose members the planner is not.
    for _ in range(3):
        Observation.objects.create(
            municipality=other_town,
            category=Category.objects.get(code="lamp_out"),
            geom=Point(*ELSEWHERE, srid=4326),
            visibility=Visibility.INTERNAL,
        )
    z = 10
    x, y = tile_of(*WEST, z)
    assert (x, y) == tile_of(*ELSEWHERE, z)
    # Whoever asks first, each sees their own: the administrator everything, the planner
    # their town's internal ones, the public only the public ones.
    for _ in range(2):
        assert cells_of(tmp_path, admin, z, x, y) == [(3, 9), (6, 18)]
        assert cells_of(tmp_path, planner, z, x, y) == [(6, 18)]
        assert cells_of(tmp_path, public, z, x, y) == [(3, 9)]
