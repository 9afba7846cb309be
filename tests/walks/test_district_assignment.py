# SPDX-License-Identifier: EUPL-1.2
"""PostGIS assigns each observation its district, on every write path.

The reference is computed independently: pyproj moves the accident points from
EPSG:3067 to WGS84 and shapely tests them against the district polygons read from the
GeoJSON file with plain json.
"""

import csv
import json

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from django.db import connection
from pyproj import Transformer
from shapely.geometry import shape

from geo.models import District, Municipality
from walks.models import Category, Observation

# Points closer than this to a district boundary (about 1 cm) count as on the boundary:
# two independent transforms may put them on either side.
ON_BOUNDARY_DEG = 1e-7


def make_observation(municipality, lon, lat, **fields):
    return Observation.objects.create(
        municipality=municipality,
        category=Category.objects.first(),
        geom=Point(lon, lat, srid=4326),
        **fields,
    )


def test_it_assigns_the_district_that_covers_the_point(municipality):
    west, east = municipality.districts.order_by("code")

    assert make_observation(municipality, 26.92, 60.46).district == west
    assert make_observation(municipality, 26.96, 60.46).district == east


def test_it_gives_a_boundary_point_exactly_one_district(municipality):
    # x = 26.94 is the shared edge of West (created first, lower id) and East.
    on_edge = make_observation(municipality, 26.94, 60.46)

    assert on_edge.district == municipality.districts.order_by("id").first()


def test_it_gives_a_point_outside_every_district_none(municipality):
    assert make_observation(municipality, 27.5, 60.46).district is None


def test_it_reassigns_when_a_district_is_edited_added_or_deleted(municipality):
    """Districts changed in the admin (or any SQL) move observations with them."""
    west, east = municipality.districts.order_by("code")
    inside_west = make_observation(municipality, 26.93, 60.46)
    far_east = make_observation(municipality, 26.97, 60.46)
    untouched = make_observation(municipality, 26.91, 60.46)
    stamp = untouched.updated_at

    # West shrinks to 26.90…26.92: the point at 26.93 is then in no district.
    west.geom = MultiPolygon(Polygon.from_bbox((26.90, 60.44, 26.92, 60.48)), srid=4326)
    west.save()
    inside_west.refresh_from_db()
    assert inside_west.district is None

    middle = District.objects.create(
        municipality=municipality,
        code="3",
        name="Keski",
        geom=MultiPolygon(Polygon.from_bbox((26.92, 60.44, 26.94, 60.48)), srid=4326),
    )
    inside_west.refresh_from_db()
    assert inside_west.district == middle

    east.delete()
    far_east.refresh_from_db()
    assert far_east.district is None
    untouched.refresh_from_db()
    assert untouched.district == west
    assert untouched.updated_at == stamp  # only observations whose district changes are written


def test_it_reassigns_when_the_point_moves(municipality):
    observation = make_observation(municipality, 26.92, 60.46)
    observation.geom = Point(26.96, 60.46, srid=4326)
    observation.save()

    observation.refresh_from_db()
    assert observation.district.code == "2"


def test_it_assigns_on_bulk_create_and_raw_sql(municipality):
    category = Category.objects.first()
    Observation.objects.bulk_create(
        [
            Observation(
                municipality=municipality, category=category, geom=Point(x, 60.46, srid=4326)
            )
            for x in (26.91, 26.97)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO walks_observation (uuid, municipality_id, category_id, geom, district_id,"
            " position_source, is_positive, light_condition, description, proposed_fix, status,"
            " visibility, observed_at, created_at, updated_at)"
            " VALUES (gen_random_uuid(), %s, %s, ST_SetSRID(ST_MakePoint(26.97, 60.45), 4326),"
            " NULL, 'gps', false, '', '', '', 'new', 'public', now(), now(), now())",
            [municipality.pk, category.pk],
        )
    assert sorted(Observation.objects.values_list("district__code", flat=True)) == ["1", "2", "2"]


def test_it_ignores_a_district_the_client_claims(municipality):
    west, east = municipality.districts.order_by("code")
    observation = make_observation(municipality, 26.92, 60.46)
    observation.district = east
    observation.save()

    observation.refresh_from_db()
    assert observation.district == west


def test_it_agrees_with_shapely_on_the_helsinki_accidents(db, shared_data):
    features = json.loads(
        (shared_data / "boundaries/fi/helsinki_kaupunginosat.geojson").read_text()
    )["features"]
    polygons = {
        f["properties"]["tunnus"]: shapely.make_valid(shape(f["geometry"])) for f in features
    }
    helsinki = Municipality.objects.create(
        code="091",
        country="FI",
        name_fi="Helsinki",
        national_srid=3067,
        geom=MultiPolygon(Polygon.from_bbox((24.5, 59.9, 25.5, 60.4)), srid=4326),
    )
    for code, polygon in polygons.items():
        geom = GEOSGeometry(polygon.wkt, srid=4326)
        District.objects.create(
            municipality=helsinki,
            code=code,
            name=code,
            geom=geom if geom.geom_type == "MultiPolygon" else MultiPolygon(geom, srid=4326),
        )

    with open(
        shared_data / "incidents/helsinki_traffic_accidents_2011_2016.csv", encoding="utf-8"
    ) as f:
        points = [
            (row["Onnett_id"], float(row["X"]), float(row["Y"]))
            for row in csv.DictReader(f)
            if row["X"] and row["Y"]
        ]
    assert len(points) == 10_077  # 10,081 rows, 4 without coordinates

    # The product's path for a point given in the national CRS: transformed by PostGIS.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO walks_observation (uuid, municipality_id, category_id, geom,"
            " position_source, is_positive, light_condition, description, proposed_fix, status,"
            " visibility, observed_at, created_at, updated_at)"
            " SELECT md5(p.id)::uuid, %s, %s,"
            " ST_Transform(ST_SetSRID(ST_MakePoint(p.x, p.y), 3067), 4326),"
            " 'import', false, '', p.id, '', 'new', 'public', now(), now(), now()"
            " FROM unnest(%s::text[], %s::float8[], %s::float8[]) AS p(id, x, y)",
            [
                helsinki.pk,
                Category.objects.first().pk,
                [p[0] for p in points],
                [p[1] for p in points],
                [p[2] for p in points],
            ],
        )
    assigned = dict(Observation.objects.values_list("description", "district__code"))
    assert len(assigned) == len(points)

    to_wgs84 = Transformer.from_crs(3067, 4326, always_xy=True)
    tree = shapely.STRtree(list(polygons.values()))
    codes = list(polygons)
    checked = {"inside": 0, "boundary": 0, "outside": 0}
    for accident_id, x, y in points:
        lon, lat = to_wgs84.transform(x, y)
        point = shapely.Point(lon, lat)
        near = [codes[i] for i in tree.query(point.buffer(ON_BOUNDARY_DEG))]
        covering = [c for c in near if polygons[c].covers(point)]
        on_boundary = any(polygons[c].boundary.distance(point) < ON_BOUNDARY_DEG for c in near)
        got = assigned[accident_id]
        if on_boundary:
            checked["boundary"] += 1
            if len(covering) > 1:  # on a shared edge: one of the two, never both
                assert got in covering, f"accident {accident_id} on {covering} got {got}"
            else:  # within a centimetre of an edge: either side is right
                assert got is None or got in near, f"accident {accident_id} got {got}, not {near}"
        elif covering:
            checked["inside"] += 1
            assert [got] == covering, f"accident {accident_id}: PostGIS {got}, shapely {covering}"
        else:
            checked["outside"] += 1
            assert got is None, f"accident {accident_id} is outside Helsinki but got {got}"
    # The file has both kinds: most accidents in the city, some far outside it.
    assert checked["inside"] > 9000
    assert checked["outside"] > 0
