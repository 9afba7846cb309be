# SPDX-License-Identifier: EUPL-1.2
"""Planners write and publish the safety plan in the admin (plans migration 0002)."""

from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from plans.models import PlanState, SafetyPlan
from tests.frontend.conftest import screenshot

ROLE_MIGRATIONS = [
    "walks.migrations.0003_seed_taxonomy_and_roles",
    "plans.migrations.0002_planner_permissions",
]


@pytest.fixture
def role_groups():
    """The groups with the permissions `migrate` gives them.

    Transactional tests empty every table when they end (permissions and groups included),
    so the migrations' own functions grant them again here, as on a fresh database.
    """
    for name in ROLE_MIGRATIONS:
        import_module(name).forwards(apps, None)


def public_plan(code: str) -> str:
    """The plan page as an anonymous English reader gets it."""
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/plan/{code}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_demo_planner_edits_and_publishes_the_plan_in_the_admin(
    page_in, live_server, role_groups, monkeypatch
):
    """Changes to a published plan, in the plan's own form or in one of its actions, stay
    drafts until the planner publishes: from the plan's page, or from the plan list."""
    # Tests run with DEBUG off, where load_demo wants a password of one's own.
    monkeypatch.setenv("LYHTY_DEMO_PASSWORD", "planner-test-pw")
    call_command("load_demo", stdout=StringIO())
    plan = SafetyPlan.objects.get(municipality__code="demo")
    first_revision = plan.revisions.get()
    summary = "Lighting and school routes first, then the centre."
    assert summary not in public_plan("demo")

    page = page_in("en")
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("demo-planner")
    page.get_by_label("Password").fill("planner-test-pw")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/plans/safetyplan/{plan.pk}/change/")
    page.get_by_label("Summary in English").fill(summary)
    page.get_by_label("Summary in Swedish").fill("Belysning och skolvägar först.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("was changed successfully").wait_for()
    page.get_by_text("The change is a draft").wait_for()

    # Saved, not published: the public reads the plan as it was; the planner sees a note.
    plan.refresh_from_db()
    assert plan.summary_en == summary
    assert summary not in public_plan("demo")
    page.goto(f"{live_server.url}/plan/demo/")
    page.get_by_text("Unpublished changes").wait_for()
    assert summary in page.locator("main").inner_text()

    page.goto(f"{live_server.url}/admin/plans/safetyplan/{plan.pk}/change/")
    page.get_by_role("button", name="Save and publish").click()
    page.get_by_text("Published: the public now sees the plan as it is.").wait_for()
    assert summary in public_plan("demo")
    assert plan.revisions.count() == 2
    screenshot(page, "admin-plan-published")

    # An action changed in the admin is a draft too, until the plan list's action.
    action = plan.actions.get(title_fi="Koulureittien suojateiden korotus")
    page.goto(f"{live_server.url}/admin/plans/action/{action.pk}/change/")
    page.get_by_label("Title in English").fill("Raised crossings on every school route")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("was changed successfully").wait_for()
    assert "Raised crossings on every school route" not in public_plan("demo")

    page.goto(f"{live_server.url}/admin/plans/safetyplan/")
    page.locator(f"input[name=_selected_action][value='{plan.pk}']").check()
    page.locator("select[name=action]").select_option("publish")
    page.get_by_role("button", name="Go").click()
    page.get_by_text("Published: the public now sees these plans as they are.").wait_for()
    published = public_plan("demo")
    assert "Raised crossings on every school route" in published

    plan.refresh_from_db()
    assert plan.state == PlanState.PUBLISHED
    # The first publication's date stays; "last updated" is the latest publication's.
    assert plan.published_at == first_revision.published_at
    latest = plan.revisions.order_by("-published_at").first()
    assert latest.published_by.username == "demo-planner"
    assert f"Last updated {timezone.localtime(latest.published_at):%m/%d/%Y}" in published


def test_planners_may_write_every_part_of_a_plan_and_staff_read_it(db):
    from django.contrib.auth.models import Group

    planners = set(
        Group.objects.get(name="planners").permissions.values_list("codename", flat=True)
    )
    staff = set(
        Group.objects.get(name="department staff").permissions.values_list("codename", flat=True)
    )
    for model in ["safetyplan", "priority", "action", "citizenpromise"]:
        assert {f"{a}_{model}" for a in ["view", "add", "change", "delete"]} <= planners
        assert f"view_{model}" in staff
        assert f"change_{model}" not in staff
