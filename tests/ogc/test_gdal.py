# SPDX-License-Identifier: EUPL-1.2
"""GDAL's OAPIF driver (Debian's gdal-bin, the GDAL inside QGIS) reads /ogc/ over HTTP.

It lists every collection the caller may read, and pages through `observations` to the
same features the REST API lists, also in EPSG:3067 through `crs` (GDAL before 3.7 sends
the connection string's query with every request, so `?crs=…` on the landing page works).
"""

import json
import os
import subprocess

import pytest
from django.contrib.auth.models import Group
from pyproj import Transformer

from tests.api.conftest import client_with, user_client
from tests.conftest import EAST, WEST
from walks.models import Visibility
from walks.roles import PLANNERS_GROUP

pytestmark = [pytest.mark.django_db(transaction=True)]

EPSG_3067 = "http://www.opengis.net/def/crs/EPSG/0/3067"


@pytest.fixture
def observations(taxonomy, make_observation):
    """Five public observations, one internal and one in a sensitive category."""
    found = [make_observation(at=WEST if n % 2 else EAST, severity=n % 5 + 1) for n in range(5)]
    found.append(make_observation(at=EAST, visibility=Visibility.INTERNAL))
    found.append(make_observation("drugs", at=WEST))
    return found


def gdal(*args, token=None) -> str:
    env = {"PATH": os.environ["PATH"], "NO_PROXY": "*", "GDAL_HTTP_TIMEOUT": "30"}
    if token:
        env["GDAL_HTTP_HEADERS"] = f"Authorization: Token {token}"
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def read_layer(url: str, layer: str, token=None) -> dict:
    """The whole layer as GeoJSON, paged through two features at a time."""
    output = gdal(
        "ogr2ogr",
        "-f",
        "GeoJSON",
        "/vsistdout/",
        f"OAPIF:{url}",
        layer,
        "-oo",
        "PAGE_SIZE=2",
        token=token,
    )
    return json.loads(output)


def rest_ids(client) -> set[int]:
    return {f["id"] for f in client.get("/api/v1/observations/?limit=10000").json()["features"]}


def test_ogrinfo_lists_every_collection_the_caller_may_read(
    live_server, observations, municipality
):
    Group.objects.get_or_create(name=PLANNERS_GROUP)
    planner = user_client("gdal-planner", group=PLANNERS_GROUP, municipality=municipality)
    token = planner._credentials["HTTP_AUTHORIZATION"].split()[1]
    public_listing = gdal("ogrinfo", "-ro", "-q", f"OAPIF:{live_server.url}/ogc/")
    planner_listing = gdal("ogrinfo", "-ro", "-q", f"OAPIF:{live_server.url}/ogc/", token=token)
    names = ["observations", "walks", "districts", "municipalities"]
    for name in names:
        assert f": {name} (title:" in public_listing
        assert f": {name} (title:" in planner_listing
    assert "tracks" not in public_listing
    assert ": tracks (title:" in planner_listing


def test_gdal_reads_the_observations_the_rest_api_lists(live_server, observations, municipality):
    Group.objects.get_or_create(name=PLANNERS_GROUP)
    planner = user_client("gdal-planner", group=PLANNERS_GROUP, municipality=municipality)
    token = planner._credentials["HTTP_AUTHORIZATION"].split()[1]
    url = f"{live_server.url}/ogc/"
    for client, key in ((client_with(), None), (planner, token)):
        layer = read_layer(url, "observations", token=key)
        read = {feature["properties"]["id"] for feature in layer["features"]}
        assert read == rest_ids(client)
        assert len(layer["features"]) == client.get("/api/v1/observations/").json()["count"]
    assert len(read) == 7  # the planner: internal and sensitive ones too
    summary = gdal("ogrinfo", "-ro", "-so", f"OAPIF:{url}", "observations")
    assert "Feature Count: 5" in summary  # numberMatched, exact on a small result


def test_gdal_reads_the_observations_in_etrs_tm35fin_with_crs(live_server, observations):
    layer = read_layer(f"{live_server.url}/ogc/?crs={EPSG_3067}", "observations")
    by_id = {f["properties"]["id"]: f["geometry"]["coordinates"] for f in layer["features"]}
    assert set(by_id) == rest_ids(client_with())
    to_tm35fin = Transformer.from_crs("EPSG:4326", "EPSG:3067", always_xy=True)
    for observation in observations:
        if observation.pk in by_id:
            expected = to_tm35fin.transform(observation.geom.x, observation.geom.y)
            assert by_id[observation.pk] == pytest.approx(expected, abs=0.01)  # 1 cm
