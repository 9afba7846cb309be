# SPDX-License-Identifier: EUPL-1.2
"""`manage.py import_districts` on Helsinki's real files and on files ogr2ogr writes from them.

References are independent of the importer: `ogrinfo` for feature counts, json + shapely for
validity and centroids of the original file.
"""

import json
import math
import re
import subprocess
from io import StringIO

import pytest
from django.contrib.gis.db.models.functions import Centroid
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from shapely.geometry import shape

from geo.models import District, Municipality
from walks.models import Category, Observation


@pytest.fixture(autouse=True)
def english():
    # The assertions read the messages; translations are added later.
    with translation.override("en"):
        yield


@pytest.fixture
def helsinki(db):
    """Helsinki as a box around its districts (their extent per ogrinfo, rounded outwards)."""
    box = Polygon.from_bbox((24.78, 59.92, 25.26, 60.30))
    return Municipality.objects.create(
        code="091",
        country="FI",
        name_fi="Helsinki",
        national_srid=3067,
        geom=MultiPolygon(box, srid=4326),
    )


@pytest.fixture
def kaupunginosat(shared_data):
    return shared_data / "boundaries/fi/helsinki_kaupunginosat.geojson"


def ogrinfo_feature_count(path) -> int:
    """The reference: what `ogrinfo -ro -so -al` says the file holds."""
    out = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(path)], check=True, capture_output=True, text=True
    ).stdout
    return int(re.search(r"^Feature Count: (\d+)$", out, re.MULTILINE).group(1))


def ogr2ogr(*args):
    subprocess.run(["ogr2ogr", *map(str, args)], check=True, capture_output=True)


def import_districts(path, municipality="091", *args):
    out = StringIO()
    call_command("import_districts", str(path), "--municipality", municipality, *args, stdout=out)
    return out.getvalue()


def helsinki_args(code_field="tunnus", name_field="nimi_fi", name_sv_field="nimi_se"):
    return [
        "--code-field",
        code_field,
        "--name-field",
        name_field,
        "--name-sv-field",
        name_sv_field,
    ]


def original_centroids(path):
    """District code -> centroid of the original GeoJSON polygon, by shapely."""
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return {f["properties"]["tunnus"]: shape(f["geometry"]).centroid for f in features}


def assert_centroids_match(expected, municipality):
    districts = District.objects.filter(municipality=municipality).annotate(c=Centroid("geom"))
    got = dict(districts.values_list("code", "c"))
    assert got.keys() == expected.keys()
    for code, centroid in got.items():
        # 1e-6° is about 10 cm here; the round trip through EPSG:3067 loses far less.
        assert centroid.x == pytest.approx(expected[code].x, abs=1e-6), code
        assert centroid.y == pytest.approx(expected[code].y, abs=1e-6), code


def assert_all_valid_multipolygons():
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT GeometryType(geom), ST_IsValid(geom) FROM geo_district")
        assert cursor.fetchall() == [("MULTIPOLYGON", True)]


def snapshot():
    return list(
        District.objects.values_list("municipality__code", "code", "name", "population", "geom")
    )


def write_geojson(path, features, encoding="utf-8"):
    """A FeatureCollection from (properties, geometry) pairs; `encoding` may be latin-1."""
    text = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": properties, "geometry": geometry}
                for properties, geometry in features
            ],
        },
        ensure_ascii=False,
    )
    path.write_bytes(text.encode(encoding))
    return path


def box(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


# Inside the conftest town (26.90–26.98 E, 60.44–60.48 N).
NORTH, SOUTH = box(26.90, 60.46, 26.98, 60.48), box(26.90, 60.44, 26.98, 60.46)


def test_it_imports_helsinki_districts(helsinki, kaupunginosat):
    output = import_districts(kaupunginosat, "091", *helsinki_args())

    assert (
        District.objects.filter(municipality=helsinki).count()
        == (ogrinfo_feature_count(kaupunginosat))
        == 60
    )
    assert "Imported 60 districts (60 created, 0 updated)" in output
    kallio = District.objects.get(code="11")
    assert (kallio.name, kallio.name_sv) == ("KALLIO", "BERGHÄLL")
    assert_all_valid_multipolygons()
    assert_centroids_match(original_centroids(kaupunginosat), helsinki)


def test_it_repairs_and_reports_invalid_polygons(helsinki, shared_data):
    path = shared_data / "boundaries/fi/helsinki_pienalueet.geojson"
    # The small areas' names repeat (one sub-district has several), their ids do not.
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    invalid = {
        (number, f["properties"]["osaalue_nimi_fi"])
        for number, f in enumerate(features, start=1)
        if not shape(f["geometry"]).is_valid
    }
    assert len(invalid) == 3  # shapely: self-intersections in features 77, 90 and 376

    output = import_districts(
        path, "091", *helsinki_args("id", "osaalue_nimi_fi", "osaalue_nimi_se")
    )

    reported = {
        (int(number), name)
        for number, name in re.findall(
            r"^  feature (\d+) \((.+)\): Self-intersection", output, re.MULTILINE
        )
    }
    assert reported == invalid
    assert "Repaired 3 invalid polygons:" in output
    assert District.objects.count() == ogrinfo_feature_count(path) == 404
    assert_all_valid_multipolygons()


def test_it_reads_a_geopackage_in_etrs_tm35fin(helsinki, kaupunginosat, tmp_path):
    path = tmp_path / "kaupunginosat_3067.gpkg"
    ogr2ogr("-t_srs", "EPSG:3067", path, kaupunginosat)

    output = import_districts(path, "091", *helsinki_args())

    assert "from EPSG:3067" in output
    assert District.objects.count() == ogrinfo_feature_count(path) == 60
    assert_centroids_match(original_centroids(kaupunginosat), helsinki)
    assert_all_valid_multipolygons()


def test_it_reads_a_latin1_shapefile(helsinki, kaupunginosat, tmp_path):
    path = tmp_path / "kaupunginosat.shp"
    ogr2ogr("-lco", "ENCODING=ISO-8859-1", path, kaupunginosat)
    (tmp_path / "kaupunginosat.cpg").unlink()  # as found in the wild: nothing says Latin-1
    assert b"S\xd6RN\xc4INEN" in (tmp_path / "kaupunginosat.dbf").read_bytes()

    import_districts(path, "091", *helsinki_args())

    assert District.objects.get(code="10").name == "SÖRNÄINEN"
    assert District.objects.get(code="11").name_sv == "BERGHÄLL"
    assert_centroids_match(original_centroids(kaupunginosat), helsinki)


def test_it_decodes_latin1_and_drops_byte_order_marks_in_geojson(municipality, tmp_path):
    latin1 = write_geojson(
        tmp_path / "latin1.geojson",
        [
            ({"nimi": "Länsi", "ruotsi": "Väster", "koodi": "1"}, SOUTH),
            ({"nimi": "Itä", "ruotsi": "Öster", "koodi": "2"}, NORTH),
        ],
        encoding="latin-1",
    )
    bom = write_geojson(
        tmp_path / "bom.geojson",
        [
            ({"nimi": "\ufeff Länsi ", "ruotsi": "\ufeffVäster", "koodi": "\ufeff1"}, SOUTH),
        ],
    )

    import_districts(
        latin1, "285", "--code-field", "koodi", "--name-field", "nimi", "--name-sv-field", "ruotsi"
    )
    assert set(District.objects.values_list("code", "name", "name_sv")) == {
        ("1", "Länsi", "Väster"),
        ("2", "Itä", "Öster"),
    }

    import_districts(
        bom, "285", "--code-field", "koodi", "--name-field", "nimi", "--name-sv-field", "ruotsi"
    )
    assert set(District.objects.values_list("code", "name", "name_sv")) == {
        ("1", "Länsi", "Väster"),
        ("2", "Itä", "Öster"),
    }


@pytest.fixture
def shapefile_without_crs(kaupunginosat, tmp_path):
    path = tmp_path / "no_crs.shp"
    ogr2ogr("-t_srs", "EPSG:3067", path, kaupunginosat)
    (tmp_path / "no_crs.prj").unlink()
    return path


def test_it_needs_source_crs_for_a_file_without_one(helsinki, kaupunginosat, shapefile_without_crs):
    with pytest.raises(
        CommandError,
        match=r"no_crs\.shp: cannot tell which coordinate system"
        r".*--source-crs EPSG:N",
    ):
        import_districts(shapefile_without_crs, "091", *helsinki_args())
    assert District.objects.count() == 0

    output = import_districts(
        shapefile_without_crs, "091", *helsinki_args(), "--source-crs", "EPSG:3067"
    )

    assert "from EPSG:3067" in output
    assert_centroids_match(original_centroids(kaupunginosat), helsinki)


def test_it_says_when_the_source_crs_puts_the_file_off_the_earth(helsinki, shapefile_without_crs):
    with pytest.raises(
        CommandError,
        match=r"feature 1 \(LÄNSISATAMA\): its coordinates are "
        r"outside longitude and latitude when read as EPSG:4326",
    ):
        import_districts(
            shapefile_without_crs, "091", *helsinki_args(), "--source-crs", "EPSG:4326"
        )
    assert District.objects.count() == 0


@pytest.mark.parametrize(
    "crs",
    [
        'PROJCS["ETRS89 / TM35FIN(E,N)",GEOGCS["ETRS89",DATUM["ETRS89",SPHEROID["GRS 1980",'
        '6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],'
        'PROJECTION["Transverse_Mercator"],UNIT["metre",1]]',
        "+proj=utm +zone=35 +ellps=GRS80 +units=m +no_defs",
        "EPSG:999999",
        "/etc/passwd",
    ],
)
def test_it_accepts_only_known_epsg_codes_as_source_crs(helsinki, shapefile_without_crs, crs):
    with pytest.raises(CommandError, match=r"Give the CRS as an EPSG code|not a coordinate system"):
        import_districts(shapefile_without_crs, "091", *helsinki_args(), "--source-crs", crs)
    assert District.objects.count() == 0


def test_it_reads_cad_hatches_given_their_crs(helsinki, shared_data):
    path = shared_data / "cad/helsinki_kaupunginosat_epsg3879.dxf"
    # ogrinfo: layer "entities", no CRS; the hatches have no names, only entity handles.
    args = ["--code-field", "EntityHandle", "--name-field", "EntityHandle"]
    with pytest.raises(CommandError, match="--source-crs"):
        import_districts(path, "091", *args)

    import_districts(path, "091", *args, "--source-crs", "EPSG:3879")

    assert District.objects.count() == ogrinfo_feature_count(path) == 60
    # Every district lands inside Helsinki (its extent in kaupunginosat.geojson, per ogrinfo).
    assert District.objects.filter(geom__within=helsinki.geom).count() == 60
    assert_all_valid_multipolygons()


def test_it_updates_on_reimport(helsinki, kaupunginosat, tmp_path):
    import_districts(kaupunginosat, "091", *helsinki_args())
    kallio = District.objects.get(code="11")
    data = json.loads(kaupunginosat.read_text(encoding="utf-8"))
    for feature in data["features"]:
        if feature["properties"]["tunnus"] == "11":
            feature["properties"]["nimi_fi"] = "Kallio"
    changed = write_geojson(
        tmp_path / "renamed.geojson", [(f["properties"], f["geometry"]) for f in data["features"]]
    )

    output = import_districts(changed, "091", *helsinki_args())

    assert "Imported 60 districts (0 created, 60 updated)" in output
    assert District.objects.count() == 60
    kallio_again = District.objects.get(code="11")
    assert (kallio_again.pk, kallio_again.name) == (kallio.pk, "Kallio")


def test_it_matches_by_name_without_a_code_field(municipality, tmp_path):
    path = write_geojson(
        tmp_path / "names.geojson",
        [
            ({"nimi": "Länsi", "asukkaat": 4100}, box(26.90, 60.44, 26.95, 60.48)),
            ({"nimi": "Itä", "asukkaat": None}, box(26.95, 60.44, 26.98, 60.48)),
        ],
    )

    output = import_districts(path, "285", "--name-field", "nimi", "--population-field", "asukkaat")

    assert "(0 created, 2 updated)" in output
    assert set(District.objects.values_list("code", "name", "name_sv", "population")) == {
        ("1", "Länsi", "Väster", 4100),
        ("2", "Itä", "Öster", None),
    }


def test_it_assigns_observations_to_the_new_districts(municipality, tmp_path):
    category = Category.objects.first()
    north_east = Observation.objects.create(
        municipality=municipality, category=category, geom=Point(26.97, 60.47, srid=4326)
    )
    assert north_east.district.code == "2"  # East, before the import
    path = write_geojson(
        tmp_path / "north_south.geojson",
        [
            ({"koodi": "1", "nimi": "Pohjoinen"}, NORTH),
            ({"koodi": "2", "nimi": "Etelä"}, SOUTH),
        ],
    )

    output = import_districts(path, "285", "--code-field", "koodi", "--name-field", "nimi")

    north_east.refresh_from_db()
    assert north_east.district.name == "Pohjoinen"
    assert "Re-assigned the district of 1 observation." in output


def test_it_assigns_observations_outside_every_district(helsinki, kaupunginosat):
    category = Category.objects.first()
    # Helsinki railway station square, in Kluuvi (code 02).
    station = Observation.objects.create(
        municipality=helsinki, category=category, geom=Point(24.9414, 60.1710, srid=4326)
    )
    assert station.district is None

    import_districts(kaupunginosat, "091", *helsinki_args())

    station.refresh_from_db()
    assert station.district.code == "02"


# Bad files: a clear message and nothing written, not even the good features before.


def test_it_needs_the_municipality_to_exist(municipality, kaupunginosat):
    before = snapshot()

    with pytest.raises(CommandError, match="no municipality with the code '091'"):
        import_districts(kaupunginosat, "091", *helsinki_args())
    assert snapshot() == before


def test_it_refuses_duplicate_names_without_a_code_field(helsinki, shared_data):
    path = shared_data / "boundaries/fi/helsinki_pienalueet.geojson"

    with pytest.raises(CommandError, match=r"features 1 and 3 are both named 'Kulosaari'"):
        import_districts(path, "091", "--name-field", "osaalue_nimi_fi")
    assert District.objects.count() == 0


@pytest.mark.parametrize("population", ["many", -5, 12.5, "1 200"])
def test_it_refuses_a_bad_population(municipality, tmp_path, population):
    before = snapshot()
    path = write_geojson(
        tmp_path / "population.geojson",
        [
            ({"nimi": "Länsi", "asukkaat": "4100" if isinstance(population, str) else 4100}, SOUTH),
            ({"nimi": "Itä", "asukkaat": population}, NORTH),
        ],
    )

    with pytest.raises(CommandError) as error:
        import_districts(path, "285", "--name-field", "nimi", "--population-field", "asukkaat")
    assert "population.geojson: feature 2 (Itä): the population must be a whole number" in str(
        error.value
    )
    assert str(population) in str(error.value)
    assert snapshot() == before


def test_it_refuses_a_missing_field(municipality, kaupunginosat):
    before = snapshot()

    with pytest.raises(CommandError, match=r"no field 'name'; the fields are: id, aluejako, kunta"):
        import_districts(kaupunginosat, "285", "--name-field", "name")
    assert snapshot() == before


def test_it_refuses_a_point_layer(municipality, tmp_path):
    before = snapshot()
    path = write_geojson(
        tmp_path / "points.geojson",
        [
            ({"nimi": "Länsi"}, {"type": "Point", "coordinates": [26.92, 60.46]}),
        ],
    )

    with pytest.raises(CommandError, match=r"feature 1 \(Länsi\): the geometry is a POINT"):
        import_districts(path, "285", "--name-field", "nimi")
    assert snapshot() == before


def test_it_turns_curved_polygons_into_straight_segments(helsinki, tmp_path):
    # A circle of radius 1 km around (385000, 6675000) in EPSG:3067 (in Helsinki), as a
    # GeoPackage curve.
    csv = tmp_path / "circle.csv"
    csv.write_text(
        "nimi,wkt\nYmpyrä,"
        '"CURVEPOLYGON(CIRCULARSTRING(384000 6675000,385000 6676000,386000 6675000,'
        '385000 6674000,384000 6675000))"\n'
    )
    path = tmp_path / "circle.gpkg"
    ogr2ogr(
        "-f",
        "GPKG",
        path,
        csv,
        "-oo",
        "GEOM_POSSIBLE_NAMES=wkt",
        "-oo",
        "KEEP_GEOM_COLUMNS=NO",
        "-a_srs",
        "EPSG:3067",
        "-nln",
        "circle",
    )

    import_districts(path, "091", "--name-field", "nimi")

    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Area(ST_Transform(geom, 3067)) FROM geo_district")
        (area,) = cursor.fetchone()
    assert area == pytest.approx(math.pi * 1000**2, rel=1e-3)  # π r², less the chords' slivers
    assert_all_valid_multipolygons()


def test_it_keeps_and_names_districts_the_file_no_longer_has(municipality, tmp_path):
    path = write_geojson(
        tmp_path / "only_west.geojson",
        [({"koodi": "1", "nimi": "Länsi"}, box(26.90, 60.44, 26.94, 60.48))],
    )

    output = import_districts(path, "285", "--code-field", "koodi", "--name-field", "nimi")

    assert "(0 created, 1 updated)" in output
    assert "1 district is in the database but not in this file; it was kept" in output
    assert output.rstrip().endswith(": Itä")
    assert municipality.districts.count() == 2


# Districts that are not the municipality's


@pytest.fixture
def oakland(shared_data):
    return shared_data / "boundaries/other/oakland_council_districts.geojson"


def names_in(path, field="name"):
    """The reference: the names in the file, read with json."""
    return [f["properties"][field] for f in json.loads(path.read_text())["features"]]


def test_it_refuses_oakland_council_districts_as_districts_of_helsinki(helsinki, oakland):
    before = snapshot()

    with pytest.raises(CommandError) as error:
        import_districts(oakland, "091", "--name-field", "name", "--code-field", "id")

    message = str(error.value)
    assert message.startswith(f"{oakland}: 7 districts lie mostly outside the boundary of ")
    assert "Helsinki (091)" in message
    for number, name in enumerate(names_in(oakland), start=1):
        assert f"feature {number} ({name}), 0 % inside" in message
    assert "--allow-outside" in message
    assert snapshot() == before == []


def test_it_imports_them_with_allow_outside_and_warns_naming_them(helsinki, oakland):
    output = import_districts(
        oakland, "091", "--name-field", "name", "--code-field", "id", "--allow-outside"
    )

    assert "Imported 7 districts (7 created, 0 updated)" in output
    assert "Warning: 7 districts lie mostly outside the municipality's boundary" in output
    for number, name in enumerate(names_in(oakland), start=1):
        assert f"  feature {number} ({name}), 0 % inside" in output
    assert District.objects.filter(municipality=helsinki).count() == 7


def test_it_names_only_the_districts_that_are_mostly_outside(municipality, tmp_path):
    # Testilä is 26.90–26.98 E; "Rajalla" has 3/4 of its width inside, "Naapuri" 1/4.
    path = write_geojson(
        tmp_path / "partly.geojson",
        [
            ({"nimi": "Sisällä"}, box(26.90, 60.44, 26.94, 60.48)),
            ({"nimi": "Rajalla"}, box(26.95, 60.44, 26.99, 60.48)),
            ({"nimi": "Naapuri"}, box(26.97, 60.44, 27.01, 60.48)),
        ],
    )

    with pytest.raises(CommandError) as error:
        import_districts(path, "285", "--name-field", "nimi")

    message = str(error.value)
    assert "1 district lies mostly outside the boundary of Testtown (285)" in message
    # 0.01° of 0.04° inside, and a margin of 200 m (~0.0037° here) on top: about 34 %.
    assert re.search(r"feature 3 \(Naapuri\), 3\d % inside", message), message
    assert "Rajalla" not in message and "Sisällä" not in message


def test_it_accepts_small_areas_along_a_generalised_national_boundary(db, shared_data):
    # The generalised national boundary cuts one of Helsinki's 404 small areas (in Vesala)
    # so that only 21 % of it is inside; the 200 m margin takes it in (71 %, by shapely).
    national_file = shared_data / "boundaries/fi/fi_municipalities_2024.geojson"
    national = json.loads(national_file.read_text())
    (feature,) = [f for f in national["features"] if f["properties"]["NATCODE"] == "091"]
    boundary = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
    Municipality.objects.create(
        code="091",
        country="FI",
        name_fi="Helsinki",
        national_srid=3067,
        geom=boundary if boundary.geom_type == "MultiPolygon" else MultiPolygon(boundary),
    )
    path = shared_data / "boundaries/fi/helsinki_pienalueet.geojson"

    output = import_districts(path, "091", "--name-field", "osaalue_nimi_fi", "--code-field", "id")

    assert "Imported 404 districts" in output
    assert "outside" not in output
