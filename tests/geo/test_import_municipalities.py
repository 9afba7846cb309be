# SPDX-License-Identifier: EUPL-1.2
"""`manage.py import_municipalities` on the real national files, checked against GDAL's CLI."""

import json
import re
import subprocess
from io import StringIO

import pytest
from django.contrib.gis.db.models.functions import Centroid
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from shapely.geometry import shape

from geo.models import Municipality


@pytest.fixture(autouse=True)
def english():
    # The assertions read the messages; translations are added later.
    with translation.override("en"):
        yield


def ogrinfo_feature_count(path) -> int:
    """The reference: what `ogrinfo -ro -so -al` says the file holds."""
    out = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(path)], check=True, capture_output=True, text=True
    ).stdout
    return int(re.search(r"^Feature Count: (\d+)$", out, re.MULTILINE).group(1))


def import_municipalities(path, *args):
    out = StringIO()
    call_command("import_municipalities", str(path), *args, stdout=out)
    return out.getvalue()


def finnish(path, *args):
    return import_municipalities(
        path,
        "--country",
        "FI",
        "--code-field",
        "NATCODE",
        "--name-field",
        "NAMEFIN",
        "--name-sv-field",
        "NAMESWE",
        *args,
    )


def snapshot():
    return list(Municipality.objects.values_list("code", "name_fi", "name_sv", "geom"))


def assert_all_valid_multipolygons():
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT GeometryType(geom), ST_IsValid(geom) FROM geo_municipality")
        assert cursor.fetchall() == [("MULTIPOLYGON", True)]


def write_geojson(path, features):
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": properties, "geometry": geometry}
                    for properties, geometry in features
                ],
            }
        )
    )
    return path


def square(x, y, size=0.01):
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.mark.django_db
def test_it_imports_every_finnish_municipality(shared_data):
    path = shared_data / "boundaries/fi/fi_municipalities_2024.geojson"

    output = finnish(path)

    assert Municipality.objects.count() == ogrinfo_feature_count(path) == 309
    assert "Imported 309 municipalities (309 created, 0 updated)" in output
    helsinki = Municipality.objects.get(code="091")
    assert (helsinki.name_fi, helsinki.name_sv, helsinki.country) == (
        "Helsinki",
        "Helsingfors",
        "FI",
    )
    assert helsinki.national_srid == 3067
    assert_all_valid_multipolygons()


@pytest.mark.django_db
def test_it_imports_every_swedish_municipality(shared_data):
    path = shared_data / "boundaries/se/se_municipalities.geojson"

    output = import_municipalities(
        path, "--country", "SE", "--code-field", "id", "--name-field", "kom_namn"
    )

    assert Municipality.objects.count() == ogrinfo_feature_count(path) == 290
    assert "Imported 290 municipalities (290 created, 0 updated)" in output
    sollentuna = Municipality.objects.get(code="0163")
    assert (sollentuna.name_fi, sollentuna.name_sv, sollentuna.country) == ("", "Sollentuna", "SE")
    assert sollentuna.national_srid == 3006
    assert_all_valid_multipolygons()


@pytest.mark.django_db
def test_it_reads_topojson_in_the_right_place(shared_data, tmp_path):
    path = shared_data / "boundaries/fi/fi_municipalities_2020.topo.json"
    # ogrinfo: one layer "munis" with fields id, nimi, population, namn; no CRS declared.
    # Reference geometry: the same file turned into GeoJSON by ogr2ogr, read with shapely.
    reference = tmp_path / "munis.geojson"
    subprocess.run(["ogr2ogr", "-f", "GeoJSON", str(reference), str(path), "munis"], check=True)
    expected = {
        f["properties"]["id"]: shape(f["geometry"]).centroid
        for f in json.loads(reference.read_text())["features"]
    }

    import_municipalities(
        path,
        "--country",
        "FI",
        "--code-field",
        "id",
        "--name-field",
        "nimi",
        "--name-sv-field",
        "namn",
        "--layer",
        "munis",
    )

    assert Municipality.objects.count() == ogrinfo_feature_count(path) == 310
    assert Municipality.objects.get(code="091").name_sv == "Helsingfors"
    for code, centroid in Municipality.objects.annotate(c=Centroid("geom")).values_list(
        "code", "c"
    ):
        assert centroid.x == pytest.approx(expected[code].x, abs=1e-6), code
        assert centroid.y == pytest.approx(expected[code].y, abs=1e-6), code
    assert_all_valid_multipolygons()


@pytest.mark.django_db
def test_it_updates_on_reimport(shared_data, tmp_path):
    path = shared_data / "boundaries/fi/fi_municipalities_2024.geojson"
    finnish(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    for feature in data["features"]:
        if feature["properties"]["NATCODE"] == "091":
            feature["properties"]["NAMEFIN"] = "  Helsinki (uusi nimi)  "
    changed = tmp_path / "renamed.geojson"
    changed.write_text(json.dumps(data), encoding="utf-8")

    output = finnish(changed)

    assert "Imported 309 municipalities (0 created, 309 updated)" in output
    assert Municipality.objects.count() == 309
    assert Municipality.objects.get(code="091").name_fi == "Helsinki (uusi nimi)"


@pytest.mark.django_db
def test_it_keeps_the_swedish_name_of_a_finnish_file_without_one(municipality, tmp_path):
    path = write_geojson(
        tmp_path / "one.geojson", [({"NATCODE": "285", "NAMEFIN": "Kotka"}, square(26.9, 60.44))]
    )

    import_municipalities(
        path, "--country", "FI", "--code-field", "NATCODE", "--name-field", "NAMEFIN"
    )

    municipality.refresh_from_db()
    assert (municipality.name_fi, municipality.name_sv) == ("Kotka", "Testby")


# Each bad file below has good features before the bad one: none of them may be written.


@pytest.mark.django_db
def test_it_refuses_a_file_that_does_not_exist(municipality, tmp_path):
    before = snapshot()
    path = tmp_path / "missing.geojson"

    with pytest.raises(CommandError, match=rf"{re.escape(str(path))}: there is no such file"):
        finnish(path)
    assert snapshot() == before


@pytest.mark.django_db
def test_it_refuses_a_corrupt_file(municipality, tmp_path):
    before = snapshot()
    path = tmp_path / "corrupt.geojson"
    path.write_bytes(b'{"type": "FeatureCollection", "features": [\x00\xff\xfe garbage')

    with pytest.raises(CommandError, match=rf"{re.escape(str(path))}: GDAL cannot read this file"):
        finnish(path)
    assert snapshot() == before


@pytest.mark.django_db
def test_it_lists_the_fields_when_one_is_missing(municipality, shared_data):
    before = snapshot()
    path = shared_data / "boundaries/fi/fi_municipalities_2024.geojson"

    with pytest.raises(CommandError) as error:
        import_municipalities(
            path, "--country", "FI", "--code-field", "KUNTA", "--name-field", "NAMEFIN"
        )
    assert str(path) in str(error.value)
    assert "no field 'KUNTA'" in str(error.value)
    assert "NATCODE, NAMEFIN, NAMESWE" in str(error.value)
    assert snapshot() == before


@pytest.mark.django_db
def test_it_refuses_a_feature_without_geometry(municipality, tmp_path):
    before = snapshot()
    path = write_geojson(
        tmp_path / "nogeom.geojson",
        [
            ({"NATCODE": "001", "NAMEFIN": "Yksi", "NAMESWE": ""}, square(25.0, 60.0)),
            ({"NATCODE": "002", "NAMEFIN": "Kaksi", "NAMESWE": ""}, square(25.1, 60.0)),
            ({"NATCODE": "003", "NAMEFIN": "Kolme", "NAMESWE": ""}, None),
        ],
    )

    with pytest.raises(CommandError, match=r"feature 3 \(Kolme\): the feature has no geometry"):
        finnish(path)
    assert snapshot() == before


@pytest.mark.django_db
def test_it_refuses_points(municipality, tmp_path):
    before = snapshot()
    path = write_geojson(
        tmp_path / "points.geojson",
        [
            ({"NATCODE": "001", "NAMEFIN": "Yksi", "NAMESWE": ""}, square(25.0, 60.0)),
            (
                {"NATCODE": "002", "NAMEFIN": "Kaksi", "NAMESWE": ""},
                {"type": "Point", "coordinates": [25.1, 60.0]},
            ),
        ],
    )

    with pytest.raises(CommandError, match=r"feature 2 \(Kaksi\): the geometry is a POINT, not a"):
        finnish(path)
    assert snapshot() == before


@pytest.mark.django_db
def test_it_refuses_duplicate_codes(municipality, tmp_path):
    before = snapshot()
    path = write_geojson(
        tmp_path / "twice.geojson",
        [
            ({"NATCODE": "001", "NAMEFIN": "Yksi", "NAMESWE": ""}, square(25.0, 60.0)),
            ({"NATCODE": "001", "NAMEFIN": "Kaksi", "NAMESWE": ""}, square(25.1, 60.0)),
        ],
    )

    with pytest.raises(CommandError, match=r"features 1 and 2 both have the code '001'"):
        finnish(path)
    assert snapshot() == before
