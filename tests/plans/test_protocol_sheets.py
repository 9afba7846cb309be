# SPDX-License-Identifier: EUPL-1.2
"""The walk protocol of the demo's biggest walk: findings grouped by category, numbered,
on sheets of one map each, and at most ten PDF pages (the map's pins: test_protocol_pins).

The demo is loaded once for the module, as `make run` loads it, and rolled back after."""

import io

import pytest
from django.db import transaction
from django.test import Client
from pypdf import PdfReader

from plans.protocol import SHEET_CAPACITY, numbered, protocol_context, sheets_of
from tests.demo.test_demo import load_demo
from walks.models import SafetyWalk
from walks.roles import PLANNERS_GROUP

MAX_PAGES = 10


def biggest_walk() -> SafetyWalk:
    return max(SafetyWalk.objects.all(), key=lambda walk: walk.observations.count())


def planner_client() -> Client:
    from tests.api.conftest import user_client

    client = Client(HTTP_ACCEPT_LANGUAGE="fi")
    client.force_login(user_client("suunnittelija", group=PLANNERS_GROUP).user)
    return client


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_loaded, db):
    return biggest_walk()


def test_it_numbers_the_findings_in_category_order_on_sheets_that_fit_a_page(demo):
    context = protocol_context(demo, internal=True)
    sheets = context["sheets"]
    findings = [finding for sheet in sheets for finding in sheet.findings]

    assert [f.number for f in findings] == list(range(1, demo.observations.count() + 1))
    categories = [f.observation.category for f in findings]
    order = [(c.theme.order, c.order, c.code) for c in categories]
    assert order == sorted(order)
    assert all(sheet.lines <= SHEET_CAPACITY for sheet in sheets)
    assert len(sheets) <= MAX_PAGES - 2  # the first page and the actions' page besides
    # A category cut between two sheets says so on the second.
    for before, after in zip(sheets, sheets[1:], strict=False):
        same = before.groups[-1].category == after.groups[0].category
        assert after.groups[0].continued == same


def test_long_descriptions_make_a_sheet_shorter(demo):
    """Sheets are cut by lines of list, not by findings: a long text takes many lines."""
    observations = list(demo.observations.select_related("category__theme")[:5])
    for observation in observations:
        observation.description = "Pitkä kuvaus " * 100  # 1,300 characters: 33 lines
    sheets = sheets_of(numbered(observations, {}))
    assert [len(sheet.findings) for sheet in sheets] == [3, 2]
    assert all(finding.lines > 33 for sheet in sheets for finding in sheet.findings)


@pytest.mark.parametrize("internal", [False, True])
def test_the_demo_walks_protocol_pdf_has_at_most_ten_pages(demo, internal):
    client = planner_client() if internal else Client(HTTP_ACCEPT_LANGUAGE="fi")

    response = client.get(f"/walks/{demo.pk}/protocol.pdf")

    assert response.status_code == 200
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert 3 <= len(pages) <= MAX_PAGES, len(pages)
    first_sheet = pages[1].extract_text()
    assert "Findings 1–" in first_sheet or "Havainnot 1–" in first_sheet
