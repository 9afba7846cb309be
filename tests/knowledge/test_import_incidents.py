# SPDX-License-Identifier: EUPL-1.2
"""`manage.py import_incidents` on Helsinki's real accident file and on small made-up files.

The reference for the real file is independent of the importer: the CSV twin read with the
csv module, pyproj moving the points from EPSG:3067 to WGS84, shapely testing them against
the municipality and the district polygons of the GeoJSON read with plain json.
"""

import csv
import json
from collections import Counter
from io import StringIO

import pytest
import shapely
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.management import CommandError, call_command
from django.utils import translation
from pyproj import Transformer
from shapely.geometry import shape

from geo.models import District, Municipality
from knowledge.models import Incident

# Points closer than this to a district boundary (about 1 cm) count as on the boundary:
# two independent transforms may put them on either side.
ON_BOUNDARY_DEG = 1e-7
HELSINKI_BOX = (24.78, 59.92, 25.26, 60.30)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def import_incidents(path, municipality="091", *args):
    out = StringIO()
    call_command("import_incidents", str(path), "--municipality", municipality, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def helsinki(db, shared_data):
    """Helsinki as a box around its districts, the districts by the boundary import."""
    town = Municipality.objects.create(
        code="091",
        country="FI",
        name_fi="Helsinki",
        national_srid=3067,
        geom=MultiPolygon(Polygon.from_bbox(HELSINKI_BOX), srid=4326),
    )
    call_command(
        "import_districts",
        str(shared_data / "boundaries/fi/helsinki_kaupunginosat.geojson"),
        "--municipality",
        "091",
        "--code-field",
        "tunnus",
        "--name-field",
        "nimi_fi",
        stdout=StringIO(),
    )
    return town


def reference(shared_data):
    """By shapely over the raw CSV: (feature numbers without a position, feature numbers
    outside Helsinki, {accident id: (year, district codes acceptable)})."""
    features = json.loads(
        (shared_data / "boundaries/fi/helsinki_kaupunginosat.geojson").read_text()
    )["features"]
    polygons = {
        f["properties"]["tunnus"]: shapely.make_valid(shape(f["geometry"])) for f in features
    }
    codes = list(polygons)
    tree = shapely.STRtree(list(polygons.values()))
    box = shapely.box(*HELSINKI_BOX)
    to_wgs84 = Transformer.from_crs(3067, 4326, always_xy=True)
    without, outside, inside = [], [], {}
    path = shared_data / "incidents/helsinki_traffic_accidents_2011_2016.csv"
    with path.open(encoding="utf-8") as source:
        for number, row in enumerate(csv.DictReader(source), start=1):
            day, month, year = map(int, row["Päivä"].split("."))
            assert year == int(row["Vuosi"])
            if not row["X"].strip() or not row["Y"].strip():
                without.append(number)
                continue
            point = shapely.Point(*to_wgs84.transform(float(row["X"]), float(row["Y"])))
            if not box.covers(point):
                outside.append(number)
                continue
            near = [codes[i] for i in tree.query(point.buffer(ON_BOUNDARY_DEG))]
            covering = [c for c in near if polygons[c].covers(point)]
            on_boundary = any(polygons[c].boundary.distance(point) < ON_BOUNDARY_DEG for c in near)
            if on_boundary:  # on a shared edge one of the two; within a cm, either side
                acceptable = set(covering) if len(covering) > 1 else {None, *near}
            else:
                acceptable = {covering[0] if covering else None}
            inside[int(row["Onnett_id"])] = (year, acceptable)
    return without, outside, inside


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("helsinki_traffic_accidents_2011_2016.gpkg", []),
        (
            "helsinki_traffic_accidents_2011_2016.csv",
            ["--x-field", "X", "--y-field", "Y", "--source-crs", "EPSG:3067"],
        ),
    ],
)
def test_it_counts_the_helsinki_accidents_as_shapely_does(helsinki, shared_data, name, args):
    without, outside, inside = reference(shared_data)
    assert len(without) == 4 and len(outside) > 0  # the file's faults, both kinds

    output = import_incidents(
        shared_data / "incidents" / name,
        "091",
        "--kind",
        "traffic_accident",
        "--date-field",
        "Päivä",
        *args,
    )

    assert f"Imported {len(inside)} incidents ({len(inside)} events)" in output
    assert "years 2011–2016" in output
    assert f"Left out 4 rows without a position: features {', '.join(map(str, without))}." in output
    shown = ", ".join(map(str, outside[:10])) + (", …" if len(outside) > 10 else "")
    assert f"Left out {len(outside)} points outside the municipality: features {shown}." in output
    stored = {
        int(i.attributes["Onnett_id"]): (i.year, i.district.code if i.district else None)
        for i in Incident.objects.select_related("district")
    }
    assert stored.keys() == inside.keys()
    expected = Counter()
    for accident, (year, code) in stored.items():
        reference_year, acceptable = inside[accident]
        assert year == reference_year, accident
        assert code in acceptable, f"accident {accident}: PostGIS {code}, shapely {acceptable}"
        expected[(year, code)] += 1
    # The per-year, per-district counts the knowledge base gives are those of shapely.
    codes = dict(District.objects.values_list("id", "code"))
    got = {
        (year, codes.get(district)): total
        for (year, district), total in Incident.objects.per_year_and_district().items()
    }
    assert got == dict(expected)
    assert sum(1 for _y, codes in inside.values() if codes == {"11"}) > 100  # Kallio


# --- small files in the conftest town (26.90–26.98 E, 60.44–60.48 N) -----------------------


def write_geojson(path, rows):
    """A FeatureCollection of points from (properties, (lon, lat) or None) pairs."""
    features = [
        {
            "type": "Feature",
            "properties": properties,
            "geometry": None if where is None else {"type": "Point", "coordinates": where},
        }
        for properties, where in rows
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


WEST, EAST, FAR = (26.92, 60.46), (26.96, 60.46), (25.0, 60.2)


def crimes(tmp_path, rows, name="crimes.geojson"):
    return write_geojson(tmp_path / name, rows)


def import_crimes(path, *args):
    return import_incidents(
        path, "285", "--kind", "crime", "--date-field", "pvm", "--source", "police", *args
    )


def snapshot():
    return sorted(Incident.objects.values_list("source", "year", "count", "district__code"))


def test_it_sums_the_count_field_and_reads_dates_and_years(municipality, tmp_path):
    path = crimes(
        tmp_path,
        [
            ({"pvm": "2024-03-05", "n": 3}, WEST),
            ({"pvm": "5.3.2024", "n": "2"}, EAST),
            ({"pvm": 2023, "n": 0}, EAST),
            ({"pvm": "2023", "n": 1}, None),
            ({"pvm": "2025-01-01T10:00:00", "n": 4}, FAR),
        ],
    )

    output = import_crimes(path, "--count-field", "n")

    assert "Imported 3 incidents (5 events) from 'police'" in output
    assert "Left out 1 row without a position: feature 4." in output
    assert "Left out 1 point outside the municipality: feature 5." in output
    assert snapshot() == [
        ("police", 2023, 0, "2"),
        ("police", 2024, 2, "2"),
        ("police", 2024, 3, "1"),
    ]
    assert Incident.objects.filter(date="2024-03-05").count() == 2
    assert Incident.objects.get(year=2023).date is None
    # GDAL types a column of numbers and texts as text.
    assert Incident.objects.get(count=3).attributes == {"pvm": "2024-03-05", "n": "3"}


def test_importing_again_replaces_the_same_source_and_years(municipality, tmp_path):
    import_crimes(crimes(tmp_path, [({"pvm": "2023-01-01"}, WEST), ({"pvm": "2024-01-01"}, WEST)]))
    import_incidents(
        crimes(tmp_path, [({"pvm": "2024-06-01"}, EAST)], "other.geojson"),
        "285", "--kind", "crime", "--date-field", "pvm", "--source", "other",
    )  # fmt: skip

    output = import_crimes(
        crimes(tmp_path, [({"pvm": "2024-02-01"}, EAST), ({"pvm": "2024-03-01"}, EAST)], "2.json")
    )

    assert "replacing 1." in output
    assert snapshot() == [
        ("other", 2024, 1, "2"),
        ("police", 2023, 1, "1"),
        ("police", 2024, 1, "2"),
        ("police", 2024, 1, "2"),
    ]


@pytest.mark.parametrize(
    ("rows", "args", "message"),
    [
        (
            [({"pvm": "2024-01-01"}, WEST), ({"pvm": "31.2.2024"}, WEST)],
            [],
            r"crimes.geojson: feature 2: the date \(field 'pvm'\) cannot be read: '31.2.2024'",
        ),
        (
            [({"pvm": "2024-01-01", "n": "kolme"}, WEST)],
            ["--count-field", "n"],
            r"feature 1: the count \(field 'n'\) is not a whole number of zero or more: 'kolme'",
        ),
        (
            [({"pvm": "2024-01-01", "n": -1}, WEST)],
            ["--count-field", "n"],
            r"feature 1: the count \(field 'n'\) is not a whole number",
        ),
        (
            [({"pvm": "2024-01-01"}, WEST)],
            ["--count-field", "lkm"],
            r"crimes.geojson: there is no field 'lkm'; the fields are: pvm",
        ),
        ([({"pvm": "2024-01-01"}, FAR)], [], "none of its 1 points lies within the boundary"),
    ],
)
def test_a_bad_value_stops_the_import_and_changes_nothing(
    municipality, tmp_path, rows, args, message
):
    import_crimes(crimes(tmp_path, [({"pvm": "2024-05-05"}, EAST)], "first.geojson"))
    before = snapshot()

    with pytest.raises(CommandError, match=message):
        import_crimes(crimes(tmp_path, rows), *args)

    assert snapshot() == before


def test_it_names_an_unreadable_file(municipality, tmp_path):
    path = tmp_path / "broken.gpkg"
    path.write_bytes(b"not a geopackage")

    with pytest.raises(CommandError, match="broken.gpkg: GDAL cannot read this file"):
        import_crimes(path)
    assert not Incident.objects.exists()


def test_the_district_follows_the_rule_of_observations(municipality):
    """On the shared edge the lower district id; outside every district none; and it
    follows when districts change."""
    west, east = municipality.districts.order_by("id")

    def incident(lon, lat):
        created = Incident.objects.create(
            municipality=municipality,
            kind="crime",
            source="test",
            year=2024,
            geom=Point(lon, lat, srid=4326),
        )
        created.refresh_from_db()  # the trigger's district
        return created

    on_edge, inside_east = incident(26.94, 60.46), incident(26.96, 60.46)
    outside_both = incident(26.97, 60.479)
    assert (on_edge.district, inside_east.district) == (west, east)

    east.geom = MultiPolygon(Polygon.from_bbox((26.94, 60.44, 26.98, 60.47)), srid=4326)
    east.save()
    outside_both.refresh_from_db()
    assert outside_both.district is None

    east.delete()
    inside_east.refresh_from_db()
    assert inside_east.district is None
