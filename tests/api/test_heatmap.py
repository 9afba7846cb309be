# SPDX-License-Identifier: EUPL-1.2
"""GET /api/v1/heatmap/: the caller's observations in grid cells, small cells hidden from
the public, the observation list's filters, strict parameters."""

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from walks.models import Status, Visibility

URL = "/api/v1/heatmap/"
# Two points 250 m cells apart: 26.91 and 26.95 lie ~2.2 km apart at 60.46° N.
LONELY = (26.91, 60.45)
BUSY = (26.95, 60.47)


@pytest.fixture
def cells(make_observation):
    """Two observations in one cell, three in another."""
    for _ in range(2):
        make_observation(at=LONELY, severity=2)
    for severity in (1, 4, None):
        make_observation(category="pothole", at=BUSY, severity=severity)


def counts(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json"
    return sorted(f["properties"]["count"] for f in response.json()["features"])


def test_it_hides_cells_under_three_observations_from_the_public(public, planner, cells):
    answer = public.get(URL, {"municipality": "285", "cell": 250})
    assert counts(answer) == [3]
    assert answer.json()["min_count"] == 3
    [feature] = answer.json()["features"]
    assert feature["properties"]["weight"] == 1 + 4 + 3  # a missing severity weighs 3
    assert feature["properties"]["density"] == pytest.approx(8 / 0.0625)


def test_it_shows_planners_and_staff_every_cell(planner, lighting_staff, cells):
    assert counts(planner.get(URL, {"municipality": "285", "cell": 250})) == [2, 3]
    assert counts(lighting_staff.get(URL, {"municipality": "285", "cell": 250})) == [2, 3]


def test_it_counts_for_the_public_only_what_the_public_may_read(
    public, planner, make_observation, cells
):
    make_observation(at=BUSY, visibility=Visibility.INTERNAL)
    make_observation(category="drugs", at=BUSY)  # sensitive
    make_observation(at=BUSY, status=Status.REJECTED)

    assert counts(public.get(URL, {"municipality": "285", "cell": 250})) == [3]
    assert counts(planner.get(URL, {"municipality": "285", "cell": 250})) == [2, 6]


def test_it_applies_the_observation_filters(planner, cells):
    def heat(**params):
        return counts(planner.get(URL, {"municipality": "285", "cell": 250, **params}))

    assert heat(category="pothole") == [3]
    assert heat(theme="lighting") == [2]
    assert heat(severity_min=2) == [1, 2]
    assert heat(status="resolved") == []
    assert heat(bbox="26.90,60.44,26.92,60.46") == [2]


def test_it_follows_the_zoom(planner, cells):
    assert planner.get(URL, {"municipality": "285", "zoom": 13}).json()["cell"] == 250
    assert planner.get(URL, {"municipality": "285", "zoom": 18}).json()["cell"] == 50
    # Without zoom or cell: the finest cell with about 64 × 64 cells over the view.
    assert planner.get(URL, {"municipality": "285"}).json()["cell"] == 100


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"municipality": "999"},
        {"municipality": "285", "limit": "10"},
        {"municipality": "285", "colour": "red"},
        {"municipality": "285", "cell": "300"},
        {"municipality": "285", "zoom": "-1"},
        {"municipality": "285", "zoom": "99"},
        {"municipality": "285", "bbox": "26.98,60.44,26.90,60.48"},
        {"municipality": "285", "bbox": "1,2,3"},
    ],
)
def test_it_refuses_bad_parameters_with_a_400(public, municipality, params):
    answer = public.get(URL, params)
    assert answer.status_code == 400, answer.content
    assert answer.json()


def test_it_refuses_a_cell_that_would_give_too_many_cells(public, municipality, monkeypatch):
    monkeypatch.setattr("analysis.heatmap.MAX_CELLS", 100)
    answer = public.get(URL, {"municipality": "285", "cell": 50})
    assert answer.status_code == 400
    assert "cell" in answer.json()


def test_it_answers_an_empty_collection_outside_the_municipality(public, cells):
    answer = public.get(URL, {"municipality": "285", "bbox": "-180,-90,-170,-80"})
    assert counts(answer) == []


def test_it_keeps_each_role_s_cells_apart(public, planner, cells):
    assert counts(planner.get(URL, {"municipality": "285", "cell": 250})) == [2, 3]
    assert counts(public.get(URL, {"municipality": "285", "cell": 250})) == [3]
    assert counts(planner.get(URL, {"municipality": "285", "cell": 250})) == [2, 3]


def test_a_planner_reads_the_cells_kept_on_write_without_a_build(planner, make_observation, cells):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_observation(at=LONELY, visibility=Visibility.INTERNAL)
    with CaptureQueriesContext(connection) as queries:
        assert counts(planner.get(URL, {"municipality": "285", "cell": 250})) == [3, 3]
    # Everything of the town is "all" there (analysis.heatmap.KEPT_ON_WRITE): summed, not built.
    statements = " ".join(q["sql"] for q in queries.captured_queries)
    assert "h.query_key = 'all'" in statements
    assert "CREATE TEMPORARY TABLE heat_build" not in statements


def test_it_counts_for_a_participant_the_public_s_and_their_own(
    public, participant, make_observation, cells
):
    for _ in range(3):
        make_observation(
            at=LONELY, visibility=Visibility.INTERNAL, participant=participant.participant
        )
    assert counts(public.get(URL, {"municipality": "285", "cell": 250})) == [3]
    assert counts(participant.get(URL, {"municipality": "285", "cell": 250})) == [3, 5]


def test_it_shows_the_public_a_change_at_once(public, planner, make_observation, cells):
    assert counts(public.get(URL, {"municipality": "285", "cell": 250})) == [3]
    make_observation(at=LONELY)
    assert counts(public.get(URL, {"municipality": "285", "cell": 250})) == [3, 3]
    busy = planner.get(URL, {"municipality": "285", "cell": 250, "category": "pothole"})
    assert counts(busy) == [3]
    pothole = make_observation(category="pothole", at=BUSY)
    assert counts(public.get(URL, {"municipality": "285", "cell": 250})) == [3, 4]
    pothole.status = Status.REJECTED
    pothole.save()
    assert counts(public.get(URL, {"municipality": "285", "cell": 250})) == [3, 3]
    busy = planner.get(URL, {"municipality": "285", "cell": 250, "category": "pothole"})
    assert counts(busy) == [4]


def test_it_is_in_the_schema_without_warnings(db, tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert f"{URL}:" in (tmp_path / "schema.yml").read_text()


@pytest.mark.parametrize("persona", ["public", "planner"])
def test_it_keeps_to_its_schema_under_fuzzing(persona, same_connection, cells, planner):
    headers = {"Accept-Language": "en"}
    if persona == "planner":
        headers["Authorization"] = f"Token {Token.objects.get(user=planner.user).key}"
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    operation = schema[URL]["GET"]
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]

    @settings(
        max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy())
    def check(case):
        case.headers = {**(case.headers or {}), **headers}
        case.call_and_validate(checks=checks)

    check()


@pytest.fixture
def same_connection():
    from tests.api.test_schema import same_connection as keep

    yield from keep.__wrapped__()
