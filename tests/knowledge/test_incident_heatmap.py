# SPDX-License-Identifier: EUPL-1.2
"""/api/v1/heatmap/incidents/: the knowledge base's incidents in the heat map's grid.

The reference for Helsinki's real accident file bins the CSV's own EPSG:3067 coordinates
with floor(x / cell) in plain Python: the importer's and PostGIS's transforms to WGS84 and
back play no part in it. A point within a millimetre of a cell edge may land on either side
after the round trip; the reference allows both.
"""

import csv
import math
from collections import Counter

import pytest
from django.contrib.gis.geos import Point

from knowledge.models import Incident
from tests.api.conftest import client_with, user_client
from tests.knowledge.test_import_incidents import (
    helsinki,  # noqa: F401
    import_incidents,
    reference,
)
from walks.roles import PLANNERS_GROUP

URL = "/api/v1/heatmap/incidents/"
CELL = 500
EDGE_M = 0.001


def cells_of(x: float, y: float) -> set:
    """The cells a point may fall in after a round trip through WGS84."""
    return {
        (math.floor((x + dx) / CELL), math.floor((y + dy) / CELL))
        for dx in (-EDGE_M, EDGE_M)
        for dy in (-EDGE_M, EDGE_M)
    }


def reference_cells(shared_data, year: int) -> tuple[Counter, Counter, int]:
    """(rows surely in each cell, rows that may be in each cell, rows of the year), over
    the CSV's points inside the municipality (the importer's own reference)."""
    _without, _outside, inside = reference(shared_data)
    sure, maybe, rows = Counter(), Counter(), 0
    path = shared_data / "incidents/helsinki_traffic_accidents_2011_2016.csv"
    with path.open(encoding="utf-8") as source:
        for row in csv.DictReader(source):
            accident = int(row["Onnett_id"])
            if accident not in inside or inside[accident][0] != year:
                continue
            rows += 1
            candidates = cells_of(float(row["X"]), float(row["Y"]))
            for cell in candidates:
                maybe[cell] += 1
            if len(candidates) == 1:
                sure[next(iter(candidates))] += 1
    return sure, maybe, rows


def cells(answer) -> dict:
    return {
        tuple(map(int, f["id"].split(":"))): (f["properties"]["count"], f["properties"]["weight"])
        for f in answer.json()["features"]
    }


@pytest.fixture
def helsinki_accidents(helsinki, shared_data):  # noqa: F811
    import_incidents(
        shared_data / "incidents/helsinki_traffic_accidents_2011_2016.csv",
        "091",
        "--kind",
        "traffic_accident",
        "--date-field",
        "Päivä",
        "--x-field",
        "X",
        "--y-field",
        "Y",
        "--source-crs",
        "EPSG:3067",
    )
    return helsinki


@pytest.mark.parametrize("year", [None, 2011])
def test_it_counts_helsinkis_accidents_in_the_cells_of_the_csvs_own_coordinates(
    helsinki_accidents, shared_data, year
):
    planner = user_client("suunnittelija", group=PLANNERS_GROUP, municipality=helsinki_accidents)
    query = {"municipality": "091", "kind": "traffic_accident", "cell": CELL}
    if year:
        query["year"] = year
    answer = planner.get(URL, query)

    assert answer.status_code == 200, answer.content
    assert answer.json()["year"] == (year or 2016)  # the latest year of the file by default
    assert answer.json()["srid"] == 3067 and answer.json()["min_count"] == 1
    sure, maybe, rows = reference_cells(shared_data, year or 2016)
    got = cells(answer)
    assert rows > 400
    assert sum(count for count, _weight in got.values()) == rows
    for cell, (count, weight) in got.items():
        assert weight == count  # each row of this file is one accident
        assert sure[cell] <= count <= maybe[cell], cell
    assert set(sure) <= set(got)


def test_the_public_sees_only_cells_of_three_rows_or_more(helsinki_accidents):
    query = {"municipality": "091", "kind": "traffic_accident", "cell": CELL}
    planner = user_client("suunnittelija", group=PLANNERS_GROUP, municipality=helsinki_accidents)
    everything = cells(planner.get(URL, query))
    public = client_with().get(URL, query)

    assert public.json()["min_count"] == 3
    assert cells(public) == {cell: n for cell, n in everything.items() if n[0] >= 3}
    assert any(n[0] < 3 for n in everything.values())  # something was held back


def test_a_row_weighs_the_incidents_it_counts(municipality):
    west = Point(26.9201, 60.4601, srid=4326)
    for count in (2, 2, 5):
        Incident.objects.create(
            municipality=municipality, kind="crime", source="poliisi", year=2024,
            count=count, geom=west,
        )  # fmt: skip
    Incident.objects.create(
        municipality=municipality, kind="crime", source="poliisi", year=2023, count=7, geom=west
    )
    answer = client_with().get(URL, {"municipality": "285", "kind": "crime", "cell": 250})

    assert answer.json()["year"] == 2024
    [feature] = answer.json()["features"]
    assert (feature["properties"]["count"], feature["properties"]["weight"]) == (3, 9)
    assert feature["properties"]["density"] == pytest.approx(9 / 0.0625)


def test_a_kind_without_incidents_is_an_empty_map(municipality):
    answer = client_with().get(URL, {"municipality": "285", "kind": "rescue"})

    assert answer.status_code == 200
    assert answer.json()["year"] is None and answer.json()["features"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"kind": "meteorite"}, "kind"),
        ({"kind": "crime", "year": "1066"}, "year"),
        ({"kind": "crime", "cell": "7"}, "cell"),
        ({"kind": "crime", "theme": "lighting"}, "theme"),
        ({}, "kind"),
    ],
)
def test_it_refuses_bad_parameters_in_the_callers_language(municipality, query, field):
    client = client_with()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fi"
    answer = client.get(URL, {"municipality": "285", **query})

    assert answer.status_code == 400
    assert field in answer.json()
    message = str(answer.json()[field])
    assert "valid" not in message and "required" not in message and "Unknown" not in message
