# SPDX-License-Identifier: EUPL-1.2
"""Planners write and publish the safety plan in the admin (plans migration 0002)."""

from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from plans.models import PlanState, SafetyPlan

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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_demo_planner_edits_and_publishes_the_plan_in_the_admin(
    page_in, live_server, role_groups, monkeypatch
):
    # Tests run with DEBUG off, where load_demo wants a password of one's own.
    monkeypatch.setenv("LYHTY_DEMO_PASSWORD", "planner-test-pw")
    call_command("load_demo", stdout=StringIO())
    plan = SafetyPlan.objects.get(municipality__code="demo")
    plan.state, plan.published_at = PlanState.DRAFT, None
    plan.save()

    page = page_in("en")
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("demo-planner")
    page.get_by_label("Password").fill("planner-test-pw")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/plans/safetyplan/{plan.pk}/change/")
    page.get_by_label("Summary").fill("Lighting and school routes first, then the centre.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("was changed successfully").wait_for()

    page.locator(f"input[name=_selected_action][value='{plan.pk}']").check()
    page.locator("select[name=action]").select_option("publish")
    page.get_by_role("button", name="Go").click()
    page.locator(".messagelist, #result_list").first.wait_for()

    plan.refresh_from_db()
    assert plan.summary == "Lighting and school routes first, then the centre."
    assert plan.state == PlanState.PUBLISHED and plan.published_at is not None


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
