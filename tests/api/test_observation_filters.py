# SPDX-License-Identifier: EUPL-1.2
"""The map workspace's filters on the observation list: unit, light, positive, ordering."""

import pytest

from tests.api.conftest import EAST
from walks.models import ResponsibleUnit


def ids(response):
    assert response.status_code == 200, response.content
    return [f["id"] for f in response.json()["features"]]


def test_it_filters_by_the_unit_assigned_or_by_default(planner, make_observation):
    lamp = make_observation("lamp_out")  # street lighting's by default
    pothole = make_observation("pothole")  # streets and parks' by default
    moved = make_observation("lamp_out")
    moved.responsible_unit = ResponsibleUnit.objects.get(code="streets_parks")
    moved.save()

    lighting = ids(planner.get("/api/v1/observations/?unit=street_lighting"))
    streets = ids(planner.get("/api/v1/observations/?unit=streets_parks"))
    both = ids(planner.get("/api/v1/observations/?unit=street_lighting,streets_parks"))

    assert lighting == [lamp.pk]
    assert sorted(streets) == sorted([pothole.pk, moved.pk])
    assert sorted(both) == sorted([lamp.pk, pothole.pk, moved.pk])


def test_it_filters_by_light_and_by_positive(planner, make_observation):
    dark = make_observation("lamp_out", light_condition="dark")
    make_observation("lamp_out", light_condition="daylight")
    safe = make_observation("lamp_out", is_positive=True, light_condition="daylight")

    assert ids(planner.get("/api/v1/observations/?light=dark")) == [dark.pk]
    assert ids(planner.get("/api/v1/observations/?positive=true")) == [safe.pk]
    assert safe.pk not in ids(planner.get("/api/v1/observations/?positive=false"))


def test_it_sorts_as_asked(planner, make_observation):
    mild = make_observation(severity=1)
    severe = make_observation(severity=5, at=EAST)
    unknown = make_observation()

    assert ids(planner.get("/api/v1/observations/?ordering=-severity")) == [
        severe.pk,
        mild.pk,
        unknown.pk,
    ]
    newest = ids(planner.get("/api/v1/observations/"))
    assert ids(planner.get("/api/v1/observations/?ordering=observed_at")) == newest[::-1]


@pytest.mark.parametrize(
    ("query", "field"),
    [("unit=", "unit"), ("unit=Not a code", "unit"), ("ordering=name", "ordering")],
)
def test_it_400s_bad_filters(planner, query, field):
    response = planner.get(f"/api/v1/observations/?{query}")
    assert response.status_code == 400
    assert field in response.json()
