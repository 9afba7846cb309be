# SPDX-License-Identifier: EUPL-1.2
"""`manage.py import_addresses`, and the nearest address PostGIS gives each observation.

The reference is independent of PostGIS: pyproj moves points to EPSG:3067 and shapely (its
STRtree) finds each observation's nearest address point, kept when within 150 m on the
ground.
"""

import csv
import json
import random
import subprocess
from io import StringIO

import pytest
import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from pyproj import Proj, Transformer
from shapely import STRtree
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import shape

from geo.models import Address, Municipality
from walks.models import Category, Observation

MAX_DISTANCE_M = 150  # settings.ADDRESS_MAX_DISTANCE_M by default
TO_3067 = Transformer.from_crs(4326, 3067, always_xy=True)
TO_4326 = Transformer.from_crs(3067, 4326, always_xy=True)
TM35FIN = Proj(3067)
# The conftest town (Testilä, 285) in EPSG:3067, a little inside its 26.90–26.98 E,
# 60.44–60.48 N box.
TOWN_3067 = (TO_3067.transform(26.902, 60.442), TO_3067.transform(26.978, 60.478))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def import_addresses(path, municipality="285", *args):
    out = StringIO()
    call_command("import_addresses", str(path), "--municipality", municipality, *args, stdout=out)
    return out.getvalue()


def generated_addresses(tmp_path, count=300, seed=7):
    """A CSV of `count` address points in EPSG:3067 inside the town: (path, rows)."""
    rng = random.Random(seed)
    (x0, y0), (x1, y1) = TOWN_3067
    rows = [
        {
            "katu": f"Testikatu {i // 10}",
            "gatan": f"Testgatan {i // 10}",
            "numero": str(i % 10 + 1),
            "postinro": "48100",
            "x": f"{rng.uniform(x0, x1):.3f}",
            "y": f"{rng.uniform(y0, y1):.3f}",
        }
        for i in range(count)
    ]
    path = tmp_path / "osoitteet.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path, rows


def as_geopackage(csv_path, *options):
    """The CSV of points in EPSG:3067 (columns x and y) as a GeoPackage beside it."""
    gpkg = csv_path.with_suffix(".gpkg")
    subprocess.run(
        ["ogr2ogr", "-f", "GPKG", gpkg, csv_path, "-oo", "X_POSSIBLE_NAMES=x",
         "-oo", "Y_POSSIBLE_NAMES=y", "-a_srs", "EPSG:3067", *options],
        check=True, capture_output=True,
    )  # fmt: skip
    return gpkg


CSV_ARGS = [
    "--street-field", "katu", "--number-field", "numero", "--street-sv-field", "gatan",
    "--postcode-field", "postinro", "--x-field", "x", "--y-field", "y",
    "--source-crs", "EPSG:3067",
]  # fmt: skip


def random_observations(municipality, count, seed, box):
    """`count` observations at random points of `box` (lon0, lat0, lon1, lat1)."""
    rng = random.Random(seed)
    category = Category.objects.get(code="lamp_out")
    return [
        Observation.objects.create(
            municipality=municipality,
            category=category,
            geom=Point(rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3]), srid=4326),
        )
        for _ in range(count)
    ]


def shapely_nearest(observations, addresses):
    """Observation id -> (street, number) of the nearest address within 150 m on the ground,
    or None; `addresses` are (street, number, x, y) in EPSG:3067.

    EPSG:3067 is conformal: its distances are the ground's times the scale factor of the
    place (0.9996 on 27° E, a little more off it), which pyproj gives."""
    points = [ShapelyPoint(x, y) for _street, _number, x, y in addresses]
    tree = STRtree(points)
    expected = {}
    for observation in observations:
        lon, lat = observation.geom.x, observation.geom.y
        here = ShapelyPoint(TO_3067.transform(lon, lat))
        # On a tie (real files repeat points) the address first in the file, as in PostGIS.
        i = min(tree.query_nearest(here, all_matches=True))
        scale = TM35FIN.get_factors(lon, lat).meridional_scale
        close = here.distance(points[i]) / scale <= MAX_DISTANCE_M
        expected[observation.pk] = addresses[i][:2] if close else None
    return expected


def stored_nearest(observations):
    rows = Observation.objects.filter(pk__in=[o.pk for o in observations])
    return {
        pk: None if street is None else (street, number)
        for pk, street, number in rows.values_list("pk", "address__street", "address__number")
    }


def test_it_gives_each_observation_its_nearest_address(municipality, tmp_path):
    path, rows = generated_addresses(tmp_path)
    before = random_observations(municipality, 200, seed=1, box=(26.90, 60.44, 26.98, 60.48))

    output = import_addresses(path, "285", *CSV_ARGS)

    after = random_observations(municipality, 200, seed=2, box=(26.90, 60.44, 26.98, 60.48))
    addresses = [(r["katu"], r["numero"], float(r["x"]), float(r["y"])) for r in rows]
    expected = shapely_nearest(before + after, addresses)
    assert stored_nearest(before + after) == expected
    with_address = sum(1 for o in before if expected[o.pk] is not None)
    # Both kinds occur, or the comparison would prove little.
    assert 50 < with_address < 190
    assert "Imported 300 addresses from EPSG:3067, replacing 0." in output
    assert f"{with_address} observations now have an address within 150 m." in output
    assert Address.objects.filter(municipality=municipality).count() == 300


def test_it_reads_a_geopackage_and_shows_the_address_in_both_languages(municipality, tmp_path):
    path, rows = generated_addresses(tmp_path, count=20)
    gpkg = as_geopackage(path)
    first = rows[0]
    lon, lat = TO_4326.transform(float(first["x"]), float(first["y"]))
    observation = Observation.objects.create(
        municipality=municipality,
        category=Category.objects.get(code="lamp_out"),
        geom=Point(lon, lat + 0.0002, srid=4326),  # 22 m north of it
    )

    import_addresses(gpkg, "285", "--street-field", "katu", "--number-field", "numero",
                     "--street-sv-field", "gatan", "--postcode-field", "postinro")  # fmt: skip

    observation.refresh_from_db()
    assert (observation.address.street, observation.address.number) == ("Testikatu 0", "1")
    assert str(observation.address) == "Testikatu 0 1, 48100"
    with translation.override("sv"):
        assert str(observation.address) == "Testgatan 0 1, 48100"


def test_it_keeps_the_leading_zeros_of_a_postcode_typed_as_a_number(municipality, tmp_path):
    [row] = generated_addresses(tmp_path, count=1)[1]  # a place in the test town
    path = tmp_path / "helsinki.csv"
    path.write_text(f"katu,numero,postinro,x,y\nMannerheimintie,1,00100,{row['x']},{row['y']}\n")
    # GDAL's type detection makes the postcode column an integer: 00100 is stored as 100.
    gpkg = as_geopackage(path, "-oo", "AUTODETECT_TYPE=YES")
    assert (
        "postinro: Integer"
        in subprocess.run(
            ["ogrinfo", "-so", "-al", gpkg], check=True, capture_output=True, text=True
        ).stdout
    )

    import_addresses(gpkg, "285", "--street-field", "katu", "--number-field", "numero",
                     "--postcode-field", "postinro")  # fmt: skip

    assert Address.objects.get().postcode == "00100"


def test_importing_again_replaces_the_addresses(municipality, tmp_path):
    path, rows = generated_addresses(tmp_path, count=50)
    import_addresses(path, "285", *CSV_ARGS)
    observations = random_observations(municipality, 50, seed=4, box=(26.90, 60.44, 26.98, 60.48))
    addresses = [(r["katu"], r["numero"], float(r["x"]), float(r["y"])) for r in rows]

    output = import_addresses(path, "285", *CSV_ARGS)

    assert "Imported 50 addresses from EPSG:3067, replacing 50." in output
    assert Address.objects.count() == 50
    assert stored_nearest(observations) == shapely_nearest(observations, addresses)
    assert_foreign_keys_hold()


def test_an_observation_that_moves_gets_the_address_of_its_new_place(municipality, tmp_path):
    path, rows = generated_addresses(tmp_path, count=2)
    import_addresses(path, "285", *CSV_ARGS)
    (first, second) = [TO_4326.transform(float(r["x"]), float(r["y"])) for r in rows]
    observation = Observation.objects.create(
        municipality=municipality,
        category=Category.objects.get(code="lamp_out"),
        geom=Point(*first, srid=4326),
    )
    assert observation_address(observation) == ("Testikatu 0", "1")

    observation.geom = Point(*second, srid=4326)
    observation.save()

    assert observation_address(observation) == ("Testikatu 0", "2")


def observation_address(observation):
    observation.refresh_from_db()
    address = observation.address
    return None if address is None else (address.street, address.number)


def test_deleting_an_address_gives_its_observations_the_next_nearest(municipality):
    near = Address.objects.create(
        municipality=municipality, street="Lähikatu", number="1", geom=Point(26.92, 60.46)
    )
    Address.objects.create(
        municipality=municipality, street="Kaukokatu", number="2", geom=Point(26.921, 60.46)
    )  # 55 m east
    observation = Observation.objects.create(
        municipality=municipality,
        category=Category.objects.get(code="lamp_out"),
        geom=Point(26.9199, 60.46, srid=4326),
    )
    assert observation_address(observation) == ("Lähikatu", "1")

    near.delete()

    assert observation_address(observation) == ("Kaukokatu", "2")
    Address.objects.all().delete()
    assert observation_address(observation) is None
    assert_foreign_keys_hold()


def assert_foreign_keys_hold():
    """The foreign keys are checked at commit, which a test never reaches: check them now."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_the_distance_is_a_setting_of_the_connection(municipality):
    # 0.001° of longitude at 60.46° N is 55 m (111.32 km × cos 60.46° / 1000).
    Address.objects.create(
        municipality=municipality, street="Kaukokatu", number="2", geom=Point(26.921, 60.46)
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lyhty.address_max_distance_m = 50")
    observation = Observation.objects.create(
        municipality=municipality,
        category=Category.objects.get(code="lamp_out"),
        geom=Point(26.92, 60.46, srid=4326),
    )
    assert observation_address(observation) is None
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lyhty.address_max_distance_m = 60")
    observation.save()  # geom written again
    assert observation_address(observation) == ("Kaukokatu", "2")


# Real files: Helsinki's traffic accidents carry a street address (Katuosoite), a point in
# EPSG:3067, and the faults of real data: rows without a position, trailing blanks,
# points hundreds of kilometres outside the city.


@pytest.fixture
def helsinki(db, shared_data):
    national = json.loads(
        (shared_data / "boundaries/fi/fi_municipalities_2024.geojson").read_text()
    )
    (feature,) = [f for f in national["features"] if f["properties"]["NATCODE"] == "091"]
    boundary = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
    return Municipality.objects.create(
        code="091",
        country="FI",
        name_fi="Helsinki",
        national_srid=3067,
        geom=boundary if boundary.geom_type == "MultiPolygon" else MultiPolygon(boundary),
    )


@pytest.fixture
def accidents(shared_data):
    return shared_data / "incidents/helsinki_traffic_accidents_2011_2016.gpkg"


def accident_addresses(shared_data, helsinki):
    """The reference rows: (street, "", x, y) in EPSG:3067 of the CSV twin of the file, with
    a street and a position, within 200 m of Helsinki's boundary (by shapely)."""
    boundary = shapely.transform(
        shape(json.loads(helsinki.geom.geojson)), TO_3067.transform, interleaved=False
    ).buffer(200)
    rows = []
    path = shared_data / "incidents/helsinki_traffic_accidents_2011_2016.csv"
    with path.open(encoding="utf-8") as source:
        for row in csv.DictReader(source):
            street = row["Katuosoite"].strip()
            if not street or not row["X"].strip() or not row["Y"].strip():
                continue
            x, y = float(row["X"]), float(row["Y"])
            if boundary.intersects(ShapelyPoint(x, y)):
                rows.append((street, "", x, y))
    return rows


def test_it_imports_real_addresses_and_matches_shapely(helsinki, accidents, shared_data):
    observations = random_observations(helsinki, 300, seed=3, box=(24.85, 60.16, 25.10, 60.26))

    output = import_addresses(accidents, "091", "--street-field", "Katuosoite")

    reference = accident_addresses(shared_data, helsinki)
    # Progress every 10,000 features and at the end.
    assert "Read 10000 of 10081 features…\nRead 10081 of 10081 features…\n" in output
    assert f"Imported {len(reference)} addresses from EPSG:3067, replacing 0." in output
    assert "Left out 36 rows without a street name." in output
    assert "Left out 4 rows without a position: features 5234, 7574, 9619, 10046." in output
    outside = 10081 - 36 - 4 - len(reference)
    assert outside > 0
    assert f"Left out {outside} points outside the municipality." in output
    assert stored_nearest(observations) == shapely_nearest(observations, reference)
    assert not Address.objects.filter(street__endswith=" ").exists()


def test_it_names_the_row_whose_coordinate_is_not_a_number(municipality, tmp_path):
    path, rows = generated_addresses(tmp_path, count=5)
    text = path.read_text(encoding="utf-8").replace(rows[2]["x"], "n/a")
    path.write_text(text, encoding="utf-8")

    with pytest.raises(CommandError) as error:
        import_addresses(path, "285", *CSV_ARGS)

    assert str(error.value) == (
        f"{path}: feature 3 (Testikatu 0 3): the coordinate (field 'x') is not a number: 'n/a'."
    )
    assert Address.objects.count() == 0


def test_it_refuses_polygons(municipality, tmp_path):
    path = tmp_path / "buildings.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"katu": "Talokatu 1"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [[[26.92, 60.46], [26.93, 60.46], [26.93, 60.47],
                                             [26.92, 60.46]]],
                        },
                    }
                ],
            }
        )
    )  # fmt: skip

    with pytest.raises(CommandError, match=r"feature 1 \(Talokatu 1\): the geometry is a POLY"):
        import_addresses(path, "285", "--street-field", "katu")
    assert Address.objects.count() == 0


def test_it_refuses_a_file_with_nothing_in_the_municipality(municipality, accidents):
    Address.objects.create(
        municipality=municipality, street="Vanhakatu", number="1", geom=Point(26.92, 60.46)
    )

    with pytest.raises(CommandError, match=r"none of its 10041 points lies within the boundary"):
        import_addresses(accidents, "285", "--street-field", "Katuosoite")
    assert list(Address.objects.values_list("street", flat=True)) == ["Vanhakatu"]


def test_it_needs_a_crs_for_coordinate_columns(municipality, tmp_path):
    path, _rows = generated_addresses(tmp_path, count=5)
    args = CSV_ARGS[: CSV_ARGS.index("--source-crs")]

    with pytest.raises(CommandError, match="give it with --source-crs EPSG:N"):
        import_addresses(path, "285", *args)


def test_it_needs_both_coordinate_fields(municipality, tmp_path):
    path, _rows = generated_addresses(tmp_path, count=5)

    with pytest.raises(CommandError, match="Give both --x-field and --y-field, or neither"):
        import_addresses(path, "285", "--street-field", "katu", "--x-field", "x")


def test_it_refuses_a_missing_field(municipality, accidents):
    with pytest.raises(CommandError, match=r"no field 'katu'; the fields are: Onnett_id"):
        import_addresses(accidents, "285", "--street-field", "katu")


def test_it_needs_the_municipality_to_exist(db, accidents):
    with pytest.raises(CommandError, match="no municipality with the code '091'"):
        import_addresses(accidents, "091", "--street-field", "Katuosoite")
