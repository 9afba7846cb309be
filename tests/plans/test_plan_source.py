# SPDX-License-Identifier: EUPL-1.2
"""The plan page and its PDF narrowed by source (?source=, the filter vocabulary's): its
picture, heat maps and fixes count only those sources; only those who read the
municipality's internal observations may narrow it (as the district picture's API), and a
wrong value is a clear 400 in the reader's language."""

import re
from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.test import Client
from django.utils import timezone

from tests.conftest import EAST, WEST
from tests.plans.conftest import make_plan
from tests.plans.test_pages import pdf_text
from walks.models import Category, Observation, Source


@pytest.fixture
def sourced(municipality):
    """Walk findings in the west, residents' reports in the east: 5 and 3 lamps."""
    lamp = Category.objects.get(code="lamp_out")
    when = timezone.now() - timedelta(days=1)
    for n, (source, at) in enumerate([(Source.WALK, WEST)] * 5 + [(Source.RESIDENT, EAST)] * 3):
        Observation.objects.create(
            municipality=municipality,
            category=lamp,
            geom=Point(at[0] + n * 0.00005, at[1], srid=4326),
            source=source,
            severity=3,
            observed_at=when,
        )
    plan = make_plan(municipality)
    plan.publish()
    return plan


def total(response) -> int:
    return response.context["picture"]["municipality_total"]["total"]["observations"]


def lighting_counts(response) -> set[int]:
    """The counts of the cells on the page's lighting heat map (folium's GeoJSON)."""
    [lighting] = [m for m in response.context["maps"] if m.name == "heat-lighting"]
    return {int(n) for n in re.findall(r'"count": "?(\d+)"?', lighting.script + lighting.html)}


@pytest.mark.django_db
def test_a_planner_narrows_the_plan_page_to_residents_reports(planner, sourced):
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(planner.user)

    every = browser.get("/plan/285/")
    residents = browser.get("/plan/285/", {"source": "resident"})
    walks_and_residents = browser.get("/plan/285/", {"source": "walk,resident"})

    assert every.status_code == residents.status_code == 200
    assert (total(every), total(residents), total(walks_and_residents)) == (8, 3, 8)
    assert "Figures and maps from these sources only: resident report" in residents.text
    assert "sources only" not in every.text
    # The heat map of the residents' reports has their one cell (3 reports), not the walk's.
    assert lighting_counts(residents) == {3}
    assert lighting_counts(every) == {3, 5}
    # The PDF link carries the narrowing.
    assert "plan.pdf?plan=" in residents.text and "source=resident" in residents.text


@pytest.mark.django_db
def test_the_public_may_not_narrow_it_and_a_wrong_source_is_a_clear_400(planner, sourced):
    public = Client(HTTP_ACCEPT_LANGUAGE="fi")
    refused = public.get("/plan/285/", {"source": "resident"})
    assert refused.status_code == 400
    assert "Vain" in refused.text  # "Only staff, planners and administrators …" in Finnish
    assert public.get("/plan/285/plan.pdf", {"source": "resident"}).status_code == 400

    browser = Client(HTTP_ACCEPT_LANGUAGE="fi")
    browser.force_login(planner.user)
    wrong = browser.get("/plan/285/", {"source": "neighbour"})
    assert wrong.status_code == 400 and "neighbour" in wrong.text
    assert total(public.get("/plan/285/")) == 8


@pytest.mark.django_db
def test_the_narrowed_pdf_counts_only_those_sources(planner, sourced):
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(planner.user)
    response = browser.get("/plan/285/plan.pdf", {"source": "resident"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Figures and maps from these sources only: resident report" in text
    whole = pdf_text(browser.get("/plan/285/plan.pdf").content)
    assert "sources only" not in whole
