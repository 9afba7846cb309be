# SPDX-License-Identifier: EUPL-1.2
"""The QGIS project opens in QGIS: every layer valid and reading the live service, in the
municipality's national CRS, observations coloured by theme with the plan's colours.

QGIS itself reads it (tests/ogc/qgis_reader.py under Debian's python3-qgis, the QGIS 3.22
of Debian 12), against the test server."""

import io
import json
import subprocess
import urllib.request
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from rest_framework.authtoken.models import Token

from plans.maps import THEME_COLOURS
from tests.conftest import EAST, WEST
from walks.models import Theme, Visibility

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("seeded_taxonomy"),
]
READER = Path(__file__).with_name("qgis_reader.py")


def download(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Language": "en"})
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def open_in_qgis(project: Path) -> dict:
    done = subprocess.run(
        ["/usr/bin/python3", str(READER), str(project)],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "NO_PROXY": "*", "HOME": str(project.parent)},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def administrator_token(db):
    user = get_user_model().objects.create_superuser("qgis", "qgis@example.fi", None)
    return Token.objects.create(user=user).key


def test_qgis_opens_the_project_with_every_layer_live(
    live_server, municipality, make_observation, administrator_token, tmp_path
):
    for n in range(4):
        make_observation("lamp_out" if n % 2 else "dark_spot", at=WEST if n % 2 else EAST)
    make_observation("lamp_out", at=EAST, visibility=Visibility.INTERNAL)
    url = f"{live_server.url}/api/v1/exports/qgis-project.qgz?municipality={municipality.code}"

    status, body = download(url, administrator_token)

    assert status == 200, body[:300]
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.namelist() == ["lyhty.qgs"]
        (tmp_path / "lyhty.qgs").write_bytes(archive.read("lyhty.qgs"))
    opened = open_in_qgis(tmp_path / "lyhty.qgs")

    assert opened["read"] is True
    assert opened["crs"] == "EPSG:3067"
    layers = opened["layers"]
    assert {name: layer["valid"] for name, layer in layers.items()} == {
        "Observations": True,
        "Safety walks": True,
        "Districts": True,
        "Observations (tiles)": True,
    }, opened["log"]
    observations = layers["Observations"]
    assert (observations["provider"], observations["crs"]) == ("OAPIF", "EPSG:3067")
    assert observations["features"] == 4  # what the public reads: the project holds no token
    assert layers["Districts"]["features"] == 2
    themes = list(Theme.objects.order_by("order", "code"))
    assert observations["attribute"] == "theme"
    with translation.override("en"):  # the language the project was asked in
        expected = [[t.code, t.name, THEME_COLOURS.get(t.code, "#999999")] for t in themes]
    assert observations["categories"] == expected
    tiles = layers["Observations (tiles)"]
    assert tiles["provider"] == "vectortile"
    assert [style[2] for style in tiles["styles"]] == [
        THEME_COLOURS.get(theme.code, "#999999") for theme in themes
    ]


def test_only_the_municipalitys_planners_download_it(live_server, municipality, db):
    url = f"{live_server.url}/api/v1/exports/qgis-project.qgz"
    assert download(f"{url}?municipality={municipality.code}")[0] in (401, 403)
    user = get_user_model().objects.create_user("kuka", "kuka@example.fi", None)
    token = Token.objects.create(user=user).key
    assert download(f"{url}?municipality={municipality.code}", token)[0] == 403
    admin = get_user_model().objects.create_superuser("paa", "paa@example.fi", None)
    admin_token = Token.objects.create(user=admin).key
    assert download(f"{url}?municipality=999", admin_token)[0] == 404
    assert download(url, admin_token)[0] == 400
