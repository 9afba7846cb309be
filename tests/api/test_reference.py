# SPDX-License-Identifier: EUPL-1.2
"""Municipalities, districts, themes and categories: GeoJSON for the spatial ones."""

import json

from django.contrib.gis.geos import GEOSGeometry


def ring_area(ring):
    """Shoelace sum: positive for a counter-clockwise ring."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))


def test_it_lists_municipalities_as_a_feature_collection(public, municipality):
    response = public.get("/api/v1/municipalities/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection"
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    (town,) = body["features"]
    assert town["properties"]["code"] == "285"
    assert town["properties"]["name"] == "Testtown"
    assert town["geometry"]["type"] == "MultiPolygon"


def test_it_gives_rings_counter_clockwise_as_rfc_7946_asks(public, municipality):
    # The fixture's boxes come from Polygon.from_bbox, which is clockwise-agnostic; the
    # database stores them as given and the API must turn the exterior ring CCW.
    body = json.loads(public.get("/api/v1/municipalities/285/").content)
    exterior = body["geometry"]["coordinates"][0][0]
    assert ring_area(exterior) > 0
    stored = GEOSGeometry(json.dumps(body["geometry"]))
    assert stored.equals(municipality.geom)


def test_it_finds_a_municipality_by_code_and_404s_an_unknown_one(public, municipality):
    assert public.get("/api/v1/municipalities/285/").status_code == 200
    assert public.get("/api/v1/municipalities/999/").status_code == 404


def test_it_filters_districts_by_municipality(public, municipality):
    body = json.loads(public.get("/api/v1/districts/", {"municipality": "285"}).content)
    assert [f["properties"]["name"] for f in body["features"]] == ["Länsi", "Itä"]
    assert body["features"][0]["properties"]["municipality"] == "285"
    body = json.loads(public.get("/api/v1/districts/", {"municipality": "091"}).content)
    assert body["count"] == 0 and body["features"] == []


def test_it_names_districts_in_swedish_for_a_swedish_reader(public, municipality):
    body = json.loads(public.get("/api/v1/districts/", HTTP_ACCEPT_LANGUAGE="sv").content)
    assert [f["properties"]["name"] for f in body["features"]] == ["Väster", "Öster"]


def test_it_pages_districts_with_next_and_previous_links(public, municipality):
    body = json.loads(public.get("/api/v1/districts/", {"limit": 1}).content)
    assert body["count"] == 2 and len(body["features"]) == 1
    assert body["previous"] is None
    assert body["next"].endswith("/api/v1/districts/?limit=1&offset=1")
    second = json.loads(public.get(body["next"]).content)
    assert second["features"][0]["properties"]["name"] == "Itä"
    assert second["next"] is None
    assert second["previous"].endswith("limit=1&offset=0")


def test_it_lists_themes_and_categories_in_the_callers_language(public, db):
    themes = public.get("/api/v1/themes/").json()
    assert themes[0]["code"] == "lighting"
    categories = public.get("/api/v1/categories/", {"theme": "lighting"}).json()
    lamp = next(c for c in categories if c["code"] == "lamp_out")
    assert (lamp["theme"], lamp["name"], lamp["name_fi"], lamp["name_sv"]) == (
        "lighting",
        "Lamp out",
        "Lamppu ei pala",
        "Lampan lyser inte",
    )
    assert {c["theme"] for c in categories} == {"lighting"}
    finnish = public.get("/api/v1/categories/", HTTP_ACCEPT_LANGUAGE="fi").json()
    assert next(c for c in finnish if c["code"] == "lamp_out")["name"] == "Lamppu ei pala"


def test_it_names_an_unknown_query_parameter(public, db):
    response = public.get("/api/v1/categories/", {"colour": "red"})
    assert response.status_code == 400
    assert response.json() == {"colour": ["Unknown query parameter."]}
