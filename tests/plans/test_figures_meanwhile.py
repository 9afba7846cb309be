# SPDX-License-Identifier: EUPL-1.2
"""The plan's figures and prints right after a change (walks.cache.cached_meanwhile): the
reader gets those made before the change at once, the new ones are made after that
response is sent, and the next reader has them. A category made sensitive is never served
from before: its figures go at once.

The test client closes each response as a WSGI server does, so the work left for after a
response has run when `get` returns.
"""

import pytest
from django.test import Client

from plans.page import plan_figures
from tests.plans.test_pages import town_with_findings
from walks.models import Category, Observation, Status


def fixed_total(response) -> int:
    assert response.status_code == 200
    return response.context["fixed"]["total"]


def fix_one_more():
    observation = Observation.objects.filter(status=Status.NEW, visibility="public").first()
    observation.change_status(Status.CONFIRMED)
    observation.change_status(Status.RESOLVED)


@pytest.mark.django_db
def test_a_reader_right_after_a_change_gets_the_figures_before_it_and_the_next_the_new(
    municipality,
):
    town_with_findings(municipality)
    client = Client()
    assert fixed_total(client.get("/plan/285/")) == 4

    fix_one_more()

    assert fixed_total(client.get("/plan/285/")) == 4  # at once, from before the change
    assert fixed_total(client.get("/plan/285/")) == 5  # made after that response


@pytest.mark.django_db
def test_a_category_made_sensitive_leaves_the_figures_at_once(municipality):
    town_with_findings(municipality)
    client = Client()
    assert fixed_total(client.get("/plan/285/")) == 4

    Category.objects.filter(code="lamp_out").update(is_sensitive=True)

    assert fixed_total(client.get("/plan/285/")) == 0


@pytest.mark.django_db
def test_outside_a_request_the_figures_are_made_at_once(municipality):
    plan, _walk = town_with_findings(municipality)
    assert fixed_total(Client().get("/plan/285/")) == 4

    fix_one_more()

    assert plan_figures(plan)["fixed"]["total"] == 5  # e.g. print_plans, a command


@pytest.mark.django_db
def test_the_print_right_after_a_change_is_the_one_before_and_the_next_is_new(municipality):
    town_with_findings(municipality)
    client = Client()
    first = client.get("/plan/285/plan.pdf").content

    fix_one_more()

    assert client.get("/plan/285/plan.pdf").content == first  # the print made before
    assert client.get("/plan/285/plan.pdf").content != first  # printed after that response
