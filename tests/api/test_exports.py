# SPDX-License-Identifier: EUPL-1.2
"""Exports for planners: every format read back with GDAL's own tools.

The reference coordinates are computed independently: pyproj moves each observation's
longitude/latitude to the export's CRS, and the file must agree to within 1 cm.

ogr2ogr reads the database in its own connection, so it sees only committed rows. The
town is therefore committed once for this module, before any test's transaction begins,
and deleted at its end. A transactional test would do instead, but it ends with a flush that also
empties the taxonomy and role groups the data migrations seeded, which tests in other
modules rely on.
"""

import csv
import io
import json
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import LineString, Point
from django.db import connection
from pyproj import Transformer
from rest_framework.test import APIClient

from analysis import exports
from geo.models import Address
from tests.api.conftest import GROUP_ROLES, member
from tests.conftest import make_town
from walks.filters import FILTERS
from walks.models import (
    Category,
    Observation,
    ResponsibleUnit,
    SafetyWalk,
    Theme,
    WalkParticipant,
)
from walks.roles import PLANNERS_GROUP, STAFF_GROUP

# The tests themselves only read: the usual rolled-back transaction is fine for them.
pytestmark = pytest.mark.django_db

OBSERVATIONS = 20
DARK = "Pimeä kohta Öljymäellä"  # every exporter must carry ä and ö through
FORMULA = '=HYPERLINK("http://example.invalid","klikkaa")'
# Cells a spreadsheet would run as a formula, and one it would not (a leading space).
TRICKY = {5: "\r=1+1", 6: "\n=1+1", 7: "\t=1+1", 9: " kello 22"}
DESCRIPTIONS = {1: FORMULA, 2: "-5 astetta ja liukasta", **TRICKY}
CM = 0.01
DEGREE_PRECISION = 1e-7  # RFC 7946 GeoJSON: seven decimals, about 1 cm
ROLES = {"planner": PLANNERS_GROUP, "staff": STAFF_GROUP, "admin": None, "resident": None}


def lonlat(i):
    """Observation i's place: a zigzag across both districts of the test town."""
    return 26.905 + i * 0.0035, 60.445 + (i % 7) * 0.004


def build_town():
    """The conftest `municipality` (Testilä, 285, West and East), its walk and 20 points."""
    town = make_town(populations=(None, None))
    lighting = Theme.objects.create(
        code="exp_lighting", name_fi="Valaistus", name_sv="Belysning", name_en="Lighting"
    )
    feeling = Theme.objects.create(
        code="exp_feeling", name_fi="Tunne", name_sv="Känsla", name_en="Feeling"
    )
    lighting_unit = ResponsibleUnit.objects.get(code="street_lighting")
    streets_unit = ResponsibleUnit.objects.get(code="streets_parks")
    dark = Category.objects.create(
        code="exp_dark",
        theme=lighting,
        default_unit=lighting_unit,
        name_fi=DARK,
        name_sv="Mörk plats",
        name_en="Dark spot",
        open311_code="exp-1",
    )
    nice = Category.objects.create(
        code="exp_nice",
        theme=feeling,
        name_fi="Turvallinen paikka",
        name_sv="Trygg plats",
        name_en="Safe place",
        open311_code="exp-2",
        is_positive=True,
    )
    start = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    walk = SafetyWalk.objects.create(
        municipality=town,
        title="Iltakävely",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        group="residents",
        route=LineString((26.91, 60.45), (26.95, 60.47), srid=4326),
    )
    walk.districts.set(town.districts.all())
    participant = WalkParticipant.objects.create(
        walk=walk, group="residents", display_name="Maija Meikäläinen"
    )
    reporter = User.objects.create(username="exp-reporter", email="reporter@example.invalid")
    for i in range(OBSERVATIONS):
        on_walk = i < 8
        Observation.objects.create(
            municipality=town,
            geom=Point(*lonlat(i), srid=4326),
            category=nice if i % 4 == 0 else dark,
            is_positive=i % 4 == 0,
            status="confirmed" if i < 3 else "new",
            light_condition="dark" if i % 2 else "daylight",
            visibility="internal" if i % 5 == 0 else "public",
            description=DESCRIPTIONS.get(i, f"Havainto {i}"),
            walk=walk if on_walk else None,
            source="walk" if on_walk else "staff",
            participant=participant if on_walk else None,
            reporter=None if on_walk else reporter,
            observed_at=start + timedelta(minutes=10 * i),
            severity=None if i % 4 == 0 else i % 5 + 1,
            responsible_unit=streets_unit if i % 3 == 0 else None,
        )
    # Half of them last changed long ago, for updated_since.
    first_half = Observation.objects.filter(municipality=town).order_by("id")[: OBSERVATIONS // 2]
    Observation.objects.filter(pk__in=list(first_half.values_list("pk", flat=True))).update(
        updated_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    # Observation 0's nearest address (the next one is 200 m away, past the setting's 150).
    Address.objects.create(
        municipality=town, street="Vanha Viertotie", number="3", postcode="48100",
        geom=Point(*lonlat(0), srid=4326),
    )  # fmt: skip
    for role, group in ROLES.items():
        user = User.objects.create(username=f"exp-{role}", is_superuser=role == "admin")
        if group:
            user.groups.add(Group.objects.get_or_create(name=group)[0])
            member(user, town, GROUP_ROLES[group])
    return town


def remove_town(town):
    Observation.objects.filter(municipality=town).delete()
    SafetyWalk.objects.filter(municipality=town).delete()
    Category.objects.filter(code__startswith="exp_").delete()
    Theme.objects.filter(code__startswith="exp_").delete()
    User.objects.filter(username__startswith="exp-").delete()
    town.delete()


@pytest.fixture(scope="module")
def town(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_"), "not the test database"
        groups_before = set(Group.objects.values_list("pk", flat=True))
        town = build_town()
        try:
            yield town
        finally:
            remove_town(town)
            Group.objects.exclude(pk__in=groups_before).delete()


def persona(role):
    client = APIClient()
    client.force_authenticate(User.objects.get(username=f"exp-{role}"))
    return client


@pytest.fixture
def planner(town):
    return persona("planner")


def download(client, path, tmp_path, **params):
    response = client.get(f"/api/v1/exports/{path}", params)
    assert response.status_code == 200, getattr(response, "data", response)
    target = tmp_path / path.replace("/", "_")
    target.write_bytes(b"".join(response.streaming_content))
    return target, response


def gdal_path(target):
    return f"/vsizip/{target}" if target.name.endswith(".zip") else str(target)


def read_back(target, layer=None):
    """The file as GeoJSON written by ogr2ogr, coordinates in the file's own CRS."""
    command = ["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", gdal_path(target)]
    output = subprocess.run([*command, *([layer] if layer else [])], capture_output=True)
    assert output.returncode == 0, output.stderr
    return json.loads(output.stdout)["features"]


def summary(target):
    output = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", gdal_path(target)], capture_output=True, text=True
    )
    assert output.returncode == 0, output.stderr
    return output.stdout


def by_id(features, id_field="id"):
    return {int(feature["properties"][id_field]): feature for feature in features}


def assert_at_reference(features, srid, tolerance, id_field="id"):
    to_export_crs = Transformer.from_crs(4326, srid, always_xy=True)
    ids = sorted(Observation.objects.values_list("id", flat=True))
    found = by_id(features, id_field)
    assert sorted(found) == ids
    for i, pk in enumerate(ids):
        expected = to_export_crs.transform(*lonlat(i))
        x, y = found[pk]["geometry"]["coordinates"][:2]
        assert abs(x - expected[0]) < tolerance and abs(y - expected[1]) < tolerance, (pk, x, y)


def test_it_writes_rfc7946_geojson(planner, tmp_path):
    target, response = download(planner, "observations.geojson", tmp_path)

    assert response["Content-Type"] == "application/geo+json"
    document = json.loads(target.read_text(encoding="utf-8"))
    assert "crs" not in document
    features = read_back(target)
    assert len(features) == OBSERVATIONS
    assert_at_reference(features, 4326, DEGREE_PRECISION)
    properties = features[0]["properties"]
    for name in ("id", "uuid", "category", "theme", "status", "severity", "perceived_safety"):
        assert name in properties
    for name in ("positive", "light", "description", "proposed_fix", "district"):
        assert name in properties
    for name in ("municipality", "walk", "observed_at", "updated_at", "responsible_unit"):
        assert name in properties
    first = by_id(features)[min(by_id(features))]["properties"]
    assert first["category"] == "Turvallinen paikka"
    assert {f["properties"]["category"] for f in features} == {DARK, "Turvallinen paikka"}
    assert first["district"] == "Länsi"
    assert first["municipality"] == "Testilä"
    assert first["walk"] == "Iltakävely"
    assert first["positive"] is True
    assert first["observed_at"].startswith("2026-11-23T16:00:00")
    assert first["observed_at"].endswith("Z")


@pytest.mark.parametrize("srid", [3067, 3006, 3857])
def test_it_writes_a_geopackage_in_the_asked_crs(planner, tmp_path, srid):
    target, response = download(planner, "observations.gpkg", tmp_path, crs=f"EPSG:{srid}")

    assert response["Content-Type"] == "application/geopackage+sqlite3"
    assert response["Content-Crs"] == f"<http://www.opengis.net/def/crs/EPSG/0/{srid}>"
    assert f'ID["EPSG",{srid}]' in summary(target)
    assert_at_reference(read_back(target), srid, CM)


def test_it_writes_a_geopackage_in_the_national_crs_of_the_municipality(planner, tmp_path):
    target, _ = download(planner, "observations.gpkg", tmp_path, municipality="285")

    assert 'ID["EPSG",3067]' in summary(target)
    assert_at_reference(read_back(target), 3067, CM)


def test_it_writes_a_geopackage_in_wgs84_without_a_municipality(planner, tmp_path):
    target, response = download(planner, "observations.gpkg", tmp_path)

    assert response["Content-Crs"].endswith("/EPSG/0/4326>")
    assert 'ID["EPSG",4326]' in summary(target)
    assert_at_reference(read_back(target), 4326, 1e-9)


def test_it_puts_all_three_layers_in_one_geopackage(planner, tmp_path):
    target, response = download(planner, "all.gpkg", tmp_path, municipality="285")

    assert response["Content-Disposition"].startswith('attachment; filename="lyhty-all-')
    info = summary(target)
    assert "Layer name: observations" in info
    assert "Layer name: walks" in info
    assert "Layer name: districts" in info
    assert len(read_back(target, "observations")) == OBSERVATIONS
    (walk,) = read_back(target, "walks")
    assert walk["properties"]["observations"] == 8
    assert walk["properties"]["districts"] == "Itä, Länsi"
    assert walk["geometry"]["type"] == "MultiLineString"
    districts = read_back(target, "districts")
    assert [d["properties"]["name"] for d in districts] == ["Länsi", "Itä"]
    assert {d["geometry"]["type"] for d in districts} == {"MultiPolygon"}


def test_it_zips_a_shapefile_with_short_readable_field_names(planner, tmp_path):
    target, response = download(planner, "observations.shp.zip", tmp_path, municipality="285")

    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].endswith('.shp.zip"')
    names = zipfile.ZipFile(target).namelist()
    for part in ("shp", "shx", "dbf", "prj", "cpg"):
        assert f"observations.{part}" in names
    features = read_back(target)
    fields = list(features[0]["properties"])
    assert all(len(name) <= 10 for name in fields)
    for name in ("category", "theme", "status", "safety", "descr", "district", "observed"):
        assert name in fields
    assert {f["properties"]["category"] for f in features} == {DARK, "Turvallinen paikka"}
    assert 'ID["EPSG",3067]' in summary(target)
    assert_at_reference(features, 3067, CM)


def test_it_writes_csv_with_wkt_and_coordinates(planner, tmp_path):
    target, response = download(planner, "observations.csv", tmp_path, crs="EPSG:3067")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert len(rows) == OBSERVATIONS
    assert list(rows[0])[:4] == ["WKT", "x", "y", "id"]
    assert rows[0]["WKT"].startswith("POINT (")
    assert rows[0]["observed_at"] == "2026-11-23T16:00:00Z"
    # GDAL reads the same file back, taking its geometry from the WKT column.
    features = read_back(target)
    assert len(features) == OBSERVATIONS
    assert_at_reference(features, 3067, CM)
    points = [
        {
            "properties": {"id": row["id"]},
            "geometry": {"coordinates": [float(row["x"]), float(row["y"])]},
        }
        for row in rows
    ]
    assert_at_reference(points, 3067, CM)


def test_it_names_csv_coordinates_lon_lat_in_wgs84(planner, tmp_path):
    target, _ = download(planner, "observations.csv", tmp_path)

    header = target.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("WKT,lon,lat,id,")


def test_it_names_each_observations_source(planner, tmp_path):
    target, _ = download(planner, "observations.csv", tmp_path, source="walk", lang="en")
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    stored = Observation.objects.filter(source="walk").count()
    assert stored and len(rows) == stored
    assert {row["source"] for row in rows} == {"safety walk"}


def test_it_escapes_spreadsheet_formulas_in_csv(planner, tmp_path):
    target, _ = download(planner, "observations.csv", tmp_path)

    # Bytes decoded as they are: read_text would turn a CR into a newline.
    text = target.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    descriptions = {row["description"] for row in rows}
    assert "'" + FORMULA in descriptions
    assert "'-5 astetta ja liukasta" in descriptions
    assert FORMULA not in descriptions
    assert "Havainto 3" in descriptions
    # A leading CR, LF or tab hides a formula from the eye, not from the spreadsheet.
    for i in (5, 6, 7):
        assert "'" + TRICKY[i] in descriptions
    assert " kello 22" in descriptions  # a space starts no formula: no apostrophe


def test_it_keeps_formulas_as_written_in_gis_formats(planner, tmp_path):
    target, _ = download(planner, "observations.gpkg", tmp_path)

    assert FORMULA in {f["properties"]["description"] for f in read_back(target)}


def test_it_writes_kml_in_wgs84(planner, tmp_path):
    target, response = download(planner, "observations.kml", tmp_path)

    assert response["Content-Type"] == "application/vnd.google-earth.kml+xml"
    assert DARK in target.read_text(encoding="utf-8")
    features = read_back(target)
    assert len(features) == OBSERVATIONS
    # KML keeps the order it was written in, by id: the order the points were made in.
    for i, feature in enumerate(features):
        x, y = feature["geometry"]["coordinates"][:2]
        assert abs(x - lonlat(i)[0]) < DEGREE_PRECISION
        assert abs(y - lonlat(i)[1]) < DEGREE_PRECISION


def test_it_keeps_the_visibility_readable_in_kml(planner, tmp_path):
    """KML's own <visibility> (shown or hidden, 0/1) would swallow a column of that name."""
    target, _ = download(planner, "observations.kml", tmp_path, lang="en")

    audience = [feature["properties"]["audience"] for feature in read_back(target)]
    assert audience == ["internal" if i % 5 == 0 else "public" for i in range(OBSERVATIONS)]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"municipality": "285"}, OBSERVATIONS),
        ({"category": "exp_nice"}, 5),
        ({"category": "exp_nice,exp_dark"}, OBSERVATIONS),
        ({"theme": "exp_lighting"}, 15),
        ({"status": "confirmed"}, 3),
        ({"light": "dark"}, 10),
        ({"positive": "true"}, 5),
        ({"positive": "false", "light": "dark"}, 10),
        ({"observed_after": "2026-11-23T17:00:00+00:00"}, 14),
        ({"observed_before": "2026-11-23T17:00:00Z"}, 6),
        ({"observed_after": "2026-11-24"}, 0),
    ],
)
def test_filters_narrow_the_export(planner, tmp_path, params, expected):
    target, _ = download(planner, "observations.geojson", tmp_path, **params)

    assert len(read_back(target)) == expected


# A value of every filter of the observation list (walks.filters) that picks some of the
# town's observations; a filter added to the vocabulary without one here fails below.
EVERY_FILTER = {
    "bbox": lambda: "26.90,60.44,26.94,60.47",
    "municipality": lambda: "285",
    "district": lambda: str(Observation.objects.first().municipality.districts.get(code="2").pk),
    "category": lambda: "exp_nice",
    "theme": lambda: "exp_lighting",
    "status": lambda: "confirmed,new",
    "source": lambda: "walk",
    "moderation": lambda: "none",
    "walk": lambda: str(SafetyWalk.objects.get().pk),
    "severity_min": lambda: "4",
    "severity_max": lambda: "2",
    "observed_after": lambda: "2026-11-23T17:00:00+00:00",
    "observed_before": lambda: "2026-11-23T17:30Z",
    "light": lambda: "dark",
    "positive": lambda: "false",
    "unit": lambda: "street_lighting",
    "updated_since": lambda: "2026-06-01",
}


@pytest.mark.parametrize("fmt", ["csv", "geojson", "gpkg"])
@pytest.mark.parametrize("name", list(FILTERS))
def test_it_takes_every_filter_of_the_list_and_exports_what_the_list_lists(
    planner, tmp_path, name, fmt
):
    value = EVERY_FILTER[name]()
    listed = planner.get("/api/v1/observations/", {name: value, "limit": 10_000})
    assert listed.status_code == 200, listed.content
    list_ids = {feature["id"] for feature in listed.json()["features"]}

    target, _ = download(planner, f"observations.{fmt}", tmp_path, **{name: value})

    assert set(by_id(read_back(target))) == list_ids
    assert list_ids, "the value should pick some observations"


def test_it_filters_by_district_and_walk(planner, tmp_path):
    west = Observation.objects.first().municipality.districts.get(code="1")
    walk = SafetyWalk.objects.get()
    in_west = Observation.objects.filter(district=west).count()
    assert 0 < in_west < OBSERVATIONS

    target, _ = download(planner, "observations.gpkg", tmp_path, district=str(west.pk))
    assert len(read_back(target)) == in_west
    target, _ = download(planner, "observations.gpkg", tmp_path, walk=str(walk.pk))
    assert len(read_back(target)) == 8


def test_it_writes_an_empty_layer_when_nothing_matches(planner, tmp_path):
    target, _ = download(planner, "observations.gpkg", tmp_path, status="rejected")

    info = summary(target)
    assert "Feature Count: 0" in info
    assert "category: String" in info


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "csv", "shp.zip"])
def test_it_exports_the_nearest_address(planner, tmp_path, fmt):
    target, _ = download(planner, f"observations.{fmt}", tmp_path)

    found = by_id(read_back(target))
    first = min(found)
    assert found[first]["properties"]["address"] == "Vanha Viertotie 3, 48100"
    assert all(not found[pk]["properties"]["address"] for pk in found if pk != first)


def test_it_puts_the_address_in_kml_too(planner, tmp_path):
    # GDAL's KML reader gives only the name and description back: read the file itself.
    target, _ = download(planner, "observations.kml", tmp_path)

    text = target.read_text(encoding="utf-8")
    assert text.count('<SimpleData name="address">Vanha Viertotie 3, 48100</SimpleData>') == 1


def test_it_names_things_in_swedish(planner, tmp_path):
    target, _ = download(planner, "all.gpkg", tmp_path, lang="sv")

    categories = {f["properties"]["category"] for f in read_back(target, "observations")}
    assert categories == {"Mörk plats", "Trygg plats"}
    districts = [f["properties"]["name"] for f in read_back(target, "districts")]
    assert districts == ["Väster", "Öster"]
    (walk,) = read_back(target, "walks")
    assert walk["properties"]["municipality"] == "Testby"


def test_it_follows_accept_language(town, tmp_path):
    client = persona("planner")
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    target, _ = download(client, "observations.geojson", tmp_path, theme="exp_lighting")

    assert {f["properties"]["category"] for f in read_back(target)} == {"Dark spot"}
    assert {f["properties"]["theme"] for f in read_back(target)} == {"Lighting"}


def test_it_never_exports_who_reported_or_the_join_code(planner, tmp_path):
    target, _ = download(planner, "all.gpkg", tmp_path)

    info = summary(target)
    for secret in ("reporter", "participant", "join_code", "Maija", "key"):
        assert secret not in info
    raw = target.read_bytes()
    assert SafetyWalk.objects.get().join_code.encode() not in raw
    assert b"Maija" not in raw
    assert b"reporter@example.invalid" not in raw


def test_it_includes_internal_observations_for_planners(planner, tmp_path):
    target, _ = download(planner, "observations.geojson", tmp_path, lang="en")

    visibility = [f["properties"]["visibility"] for f in read_back(target)]
    assert visibility.count("internal") == 4
    target, _ = download(planner, "observations.geojson", tmp_path, lang="fi")
    assert [f["properties"]["visibility"] for f in read_back(target)].count("sisäinen") == 4


@pytest.mark.parametrize("role", ["planner", "staff", "admin"])
def test_it_lets_planners_staff_and_administrators_export(town, role):
    response = persona(role).get("/api/v1/exports/observations.geojson")

    assert response.status_code == 200


def test_it_refuses_the_public(town):
    response = APIClient().get("/api/v1/exports/observations.gpkg")

    assert response.status_code == 403


def test_it_refuses_walk_participants(town):
    client = APIClient()
    key = WalkParticipant.objects.get().key
    client.credentials(HTTP_AUTHORIZATION=f"Participant {key}")

    assert client.get("/api/v1/exports/observations.gpkg").status_code == 403


def test_it_refuses_a_signed_in_user_without_a_role(town):
    assert persona("resident").get("/api/v1/exports/walks.gpkg").status_code == 403


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"colour": "red"}, "colour"),
        ({"format": "json"}, "format"),
        ({"category": "no_such_category"}, "category"),
        ({"status": "lost"}, "status"),
        ({"municipality": "999"}, "municipality"),
        ({"district": "west"}, "district"),
        ({"walk": "123456"}, "walk"),
        ({"observed_after": "yesterday"}, "observed_after"),
        ({"positive": "maybe"}, "positive"),
        ({"lang": "de"}, "lang"),
    ],
)
def test_it_refuses_bad_parameters_naming_them(planner, params, parameter):
    response = planner.get("/api/v1/exports/observations.gpkg", params)

    assert response.status_code == 400
    assert response.json()["parameter"] == parameter
    assert parameter in response.json()["detail"]


def test_it_refuses_a_filter_the_layer_has_not_got(planner):
    response = planner.get("/api/v1/exports/districts.gpkg", {"category": "exp_dark"})

    assert response.status_code == 400
    assert response.json()["parameter"] == "category"


def test_it_refuses_a_repeated_parameter(planner):
    response = planner.get("/api/v1/exports/observations.gpkg?status=new&status=confirmed")

    assert response.status_code == 400
    assert response.json()["parameter"] == "status"


@pytest.mark.parametrize(
    "crs",
    [
        "EPSG:9999",
        "EPSG:2393",  # a real Finnish CRS, but not one exports are written in
        'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]]]',
        "+proj=longlat +datum=WGS84",
        "/etc/passwd",
    ],
)
def test_it_refuses_crs_outside_the_list(planner, crs):
    response = planner.get("/api/v1/exports/observations.gpkg", {"crs": crs})

    assert response.status_code == 400
    assert response.json()["parameter"] == "crs"


@pytest.mark.parametrize("fmt", ["geojson", "kml"])
def test_it_keeps_geojson_and_kml_in_wgs84(planner, fmt):
    response = planner.get(f"/api/v1/exports/observations.{fmt}", {"crs": "EPSG:3067"})

    assert response.status_code == 400
    assert "gpkg" in response.json()["detail"]
    assert planner.get(f"/api/v1/exports/observations.{fmt}", {"crs": "4326"}).status_code == 200


@pytest.mark.parametrize(
    "path",
    ["people.gpkg", "observations.xlsx", "observations.shp", "all.csv", "all.shp.zip", "all.kml"],
)
def test_it_answers_404_for_unknown_layers_and_formats(planner, path):
    assert planner.get(f"/api/v1/exports/{path}").status_code == 404


def test_it_names_the_file_by_layer_and_date(planner, tmp_path):
    _, response = download(planner, "walks.kml", tmp_path)

    assert "lyhty-walks-" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.kml"')


def test_it_exports_a_queryset_from_python(town, tmp_path):
    rows = Observation.objects.filter(category__code="exp_nice")
    path = exports.export("observations", "gpkg", rows, 3006, tmp_path / "nice.gpkg", lang="en")

    features = read_back(path)
    assert len(features) == 5
    assert {f["properties"]["category"] for f in features} == {"Safe place"}
