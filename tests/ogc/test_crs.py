# SPDX-License-Identifier: EUPL-1.2
"""OGC API – Features Part 2 (conformance class CRS): `crs`, `bbox-crs`, `storageCrs`,
the Content-Crs header, and each CRS's axis order as the EPSG registry defines it.

Expected coordinates come from PROJ through pyproj, independently of PostGIS.
"""

import pytest
from pyproj import CRS as ProjCRS
from pyproj import Transformer

from ogc.crs import CRS84_URI, SUPPORTED
from tests.conftest import EAST, WEST
from tests.ogc.conftest import assert_valid, ids

pytestmark = pytest.mark.django_db

EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
ITEMS = "/ogc/collections/observations/items"


def projected(srid: int, lon: float, lat: float) -> tuple[float, float]:
    """(first axis, second axis) in the authority's order, by PROJ."""
    return Transformer.from_crs("OGC:CRS84", f"EPSG:{srid}").transform(lon, lat)


@pytest.mark.parametrize("uri", list(SUPPORTED))
def test_its_axis_order_table_agrees_with_proj(uri):
    crs = SUPPORTED[uri]
    authority = "OGC:CRS84" if uri == CRS84_URI else f"EPSG:{crs.srid}"
    first_axis = ProjCRS.from_user_input(authority).axis_info[0].direction
    assert crs.northing_first == (first_axis == "north")


def test_it_lists_the_crss_and_the_storage_crs_of_each_collection(public):
    for collection in public.get("/ogc/collections").json()["collections"]:
        assert collection["crs"][0] == CRS84_URI
        assert {EPSG + "3067", EPSG + "3006", EPSG + "4326", EPSG + "3857"} <= set(
            collection["crs"]
        )
        assert collection["storageCrs"] == CRS84_URI


@pytest.mark.parametrize("srid", [3067, 3006, 3857, 4326])
def test_it_answers_in_the_crs_asked_in_its_axis_order(public, make_observation, srid):
    made = make_observation(at=WEST)
    response = public.get(f"{ITEMS}?crs={EPSG}{srid}")
    assert response.status_code == 200
    assert response["Content-Crs"] == f"<{EPSG}{srid}>"
    assert_valid("featureCollectionGeoJSON", response.json())
    (feature,) = response.json()["features"]
    expected = projected(srid, *WEST)
    tolerance = 1e-7 if srid == 4326 else 0.01  # a centimetre in metres
    assert feature["geometry"]["coordinates"] == pytest.approx(expected, abs=tolerance)
    if srid in (3006, 4326):  # northing (latitude) first
        assert feature["geometry"]["coordinates"][0] > feature["geometry"]["coordinates"][1]
    single = public.get(f"{ITEMS}/{made.pk}?crs={EPSG}{srid}")
    assert single["Content-Crs"] == f"<{EPSG}{srid}>"
    assert single.json()["geometry"]["coordinates"] == pytest.approx(expected, abs=tolerance)


def test_it_says_crs84_when_no_crs_is_asked(public, make_observation):
    made = make_observation(at=WEST)
    assert public.get(ITEMS)["Content-Crs"] == f"<{CRS84_URI}>"
    assert public.get(f"{ITEMS}/{made.pk}")["Content-Crs"] == f"<{CRS84_URI}>"
    assert public.get(f"{ITEMS}/{made.pk}").json()["geometry"]["coordinates"] == list(WEST)


def test_it_reads_bbox_in_bbox_crs_in_that_crss_axis_order(public, make_observation):
    west, east = make_observation(at=WEST), make_observation(at=EAST)
    # A kilometre around WEST, in ETRS-TM35FIN (easting, northing).
    x, y = projected(3067, *WEST)
    box = f"{x - 1000},{y - 1000},{x + 1000},{y + 1000}"
    assert ids(public.get(f"{ITEMS}?bbox={box}&bbox-crs={EPSG}3067")) == {west.pk}
    # SWEREF 99 TM is northing, easting.
    n, e = projected(3006, *EAST)
    box = f"{n - 1000},{e - 1000},{n + 1000},{e + 1000}"
    assert ids(public.get(f"{ITEMS}?bbox={box}&bbox-crs={EPSG}3006")) == {east.pk}
    # EPSG:4326 is latitude, longitude.
    box = "60.44,26.94,60.48,26.98"
    assert ids(public.get(f"{ITEMS}?bbox={box}&bbox-crs={EPSG}4326")) == {east.pk}


def test_it_refuses_a_crs_it_does_not_offer(public):
    response = public.get(f"{ITEMS}?crs={EPSG}2393")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["crs"]
    assert EPSG + "3067" in response.json()["errors"]["crs"][0]
