# SPDX-License-Identifier: EUPL-1.2
"""The district picture API carries the knowledge base's incidents: counts per district of
the latest year up to the period, rates per 1,000 residents with the population of that
same year, and the picture's suppression for the public.

Testilä with a strip outside its districts (north of 60.47). Traffic accidents of 2024:
West 7, East 2, outside 5; of 2023: West 4, East 6, outside 0. Crimes only in 2022.
Population (area statistics): 2024 West 4,000 and East 5,000; 2023 West 3,900. Worked out
by hand, for the public (k = 3): East (2) is hidden, and then the smaller of the others
(outside, 5) too, or the whole less West would give East away.
"""

import pytest
from django.contrib.gis.geos import Point

from knowledge.models import AreaStatistic, Incident
from tests.api.conftest import planner, public  # noqa: F401
from tests.conftest import make_town

WEST, EAST, OUTSIDE = (26.92, 60.46), (26.96, 60.46), (26.93, 60.475)
ACCIDENTS = {2024: {WEST: 7, EAST: 2, OUTSIDE: 5}, 2023: {WEST: 4, EAST: 6}}
QUERY = {"start": "2024-01-01", "end": "2025-01-01"}


@pytest.fixture
def municipality(db):
    town = make_town(districts_north=60.47)
    for year, places in ACCIDENTS.items():
        for (lon, lat), n in places.items():
            for i in range(n):
                Incident.objects.create(
                    municipality=town, kind="traffic_accident", source="poliisi", year=year,
                    geom=Point(lon + i * 0.0001, lat, srid=4326),
                )  # fmt: skip
    Incident.objects.create(
        municipality=town, kind="crime", source="poliisi", year=2022,
        geom=Point(*WEST, srid=4326), count=4,
    )  # fmt: skip
    west, east = town.districts.order_by("code")
    for district, year, value in [(west, 2024, 4000), (east, 2024, 5000), (west, 2023, 3900)]:
        AreaStatistic.objects.create(district=district, name="population", year=year, value=value)
    return town


def kinds(client, path):
    response = client.get(path, QUERY)
    assert response.status_code == 200, response.content
    return {kind["kind"]: kind for kind in response.json()["incidents"]["kinds"]}


def test_a_planner_sees_every_count_and_the_rate_of_the_same_year(planner):  # noqa: F811
    got = kinds(planner, "/api/v1/municipalities/285/picture/")

    accidents = got["traffic_accident"]
    assert accidents["year"] == 2024
    west, east = accidents["districts"]
    assert (west["count"], west["previous_count"], west["population"]) == (7, 4, 4000)
    assert west["rate_per_1000"] == pytest.approx(7 / 4000 * 1000)
    assert (east["count"], east["previous_count"], east["population"]) == (2, 6, 5000)
    assert east["rate_per_1000"] == pytest.approx(2 / 5000 * 1000)
    assert accidents["outside_districts"]["count"] == 5
    whole = accidents["municipality_total"]
    assert (whole["count"], whole["previous_count"], whole["population"]) == (14, 10, 9000)
    assert whole["rate_per_1000"] == pytest.approx(14 / 9000 * 1000)
    # Crimes: their latest year is 2022, which has no population: no rate.
    crimes = got["crime"]
    assert crimes["year"] == 2022
    assert crimes["districts"][0]["count"] == 4
    assert crimes["districts"][0]["population"] is None
    assert crimes["districts"][0]["rate_per_1000"] is None


def test_the_public_gets_the_pictures_suppression(public, municipality):  # noqa: F811
    accidents = kinds(public, "/api/v1/municipalities/285/picture/")["traffic_accident"]

    west, east = accidents["districts"]
    assert (west["count"], west["suppressed"], west["previous_count"]) == (7, False, 4)
    assert east["suppressed"] and east["count"] is None and east["rate_per_1000"] is None
    outside = accidents["outside_districts"]
    assert outside["suppressed"] and outside["count"] is None  # else 14 − 7 − 5 gives East
    assert accidents["municipality_total"]["count"] == 14
    crimes = kinds(public, "/api/v1/municipalities/285/picture/")["crime"]
    # 4 in West, 0 in East and outside: the two zeros hide each other, West stays.
    assert crimes["districts"][0]["count"] == 4
    assert crimes["districts"][1]["suppressed"]


def test_a_districts_picture_has_its_own_row(public, municipality):  # noqa: F811
    east = municipality.districts.get(code="2")
    got = kinds(public, f"/api/v1/districts/{east.pk}/picture/")

    assert got["traffic_accident"]["district"]["district"]["id"] == east.pk
    assert got["traffic_accident"]["district"]["suppressed"]
    west = municipality.districts.get(code="1")
    row = kinds(public, f"/api/v1/districts/{west.pk}/picture/")["traffic_accident"]["district"]
    assert (row["count"], row["rate_per_1000"]) == (7, pytest.approx(1.75))
