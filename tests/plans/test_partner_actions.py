# SPDX-License-Identifier: EUPL-1.2
# ruff: noqa: F811  role_groups, imported, is a parameter by the same name
"""A partner organisation's actions at /actions/: listed only when their organisation owns
them in their municipality, their status and indicator value reported in the browser, and
nothing else changed (the API's side is tests/api/test_permissions.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from plans.models import Action, ActionStatus, OwnerKind
from plans.published import publish
from tests.api.conftest import POLICE, member
from tests.api.test_permissions import police_action
from tests.frontend.test_map import PASSWORD
from tests.plans.conftest import make_plan
from tests.plans.test_admin import role_groups  # noqa: F401  a fixture, found by name
from walks.roles import PLANNERS_GROUP, Role


def partner(municipality, name="poliisi"):
    user = get_user_model().objects.create_user(name, password=PASSWORD)
    return member(user, municipality, Role.PARTNER, POLICE)


def signed_in(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def actions(municipality, other_town):
    """The police's action in the test town, another owner's there, and an action of a
    police department of the same name in Muuala (not theirs: not their municipality)."""
    plan = make_plan(municipality)
    return {
        "theirs": police_action(plan),
        "municipal": plan.actions.get(owner_name="Katuvalaistus", status=ActionStatus.PLANNED),
        "elsewhere": police_action(make_plan(other_town, title="Muualan suunnitelma")),
        "rescue": plan.actions.create(
            year=plan.period_start.year, title_fi="Pelastusharjoitus", owner_kind=OwnerKind.RESCUE,
            owner_name=POLICE[1],
        ),
    }  # fmt: skip


def progress(action, status="in_progress", value="3.5"):
    return {
        "action": action.pk,
        f"action-{action.pk}-status": status,
        f"action-{action.pk}-current_value": value,
    }


@pytest.mark.django_db
def test_it_lists_only_the_partners_own_actions(municipality, actions):
    page = signed_in(partner(municipality)).get("/actions/").content.decode()

    assert actions["theirs"].title in page
    assert actions["municipal"].title not in page
    assert actions["rescue"].title not in page
    assert "Muualan suunnitelma" not in page


@pytest.mark.django_db
def test_a_partner_reports_progress_and_changes_nothing_else(municipality, actions):
    client = signed_in(partner(municipality))
    before = Action.objects.values().get(pk=actions["theirs"].pk)

    answer = client.post("/actions/", progress(actions["theirs"]))

    assert answer.status_code == 302
    after = Action.objects.values().get(pk=actions["theirs"].pk)
    assert (after["status"], after["current_value"]) == ("in_progress", 3.5)
    unchanged = {"status", "current_value", "updated_at"}
    assert {k: v for k, v in after.items() if k not in unchanged} == {
        k: v for k, v in before.items() if k not in unchanged
    }


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["municipal", "elsewhere", "rescue"])
def test_another_action_is_a_404_and_stays_as_it_was(municipality, actions, target):
    client = signed_in(partner(municipality))
    action = actions[target]

    assert client.post("/actions/", progress(action)).status_code == 404
    action.refresh_from_db()
    assert action.current_value is None


@pytest.mark.django_db
def test_bad_values_are_refused_with_a_message_and_change_nothing(municipality, actions):
    client = signed_in(partner(municipality))
    theirs = actions["theirs"]

    answer = client.post("/actions/", progress(theirs, status="finished", value="lots"))
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Select a valid choice" in text and "Enter a number" in text
    theirs.refresh_from_db()
    assert (theirs.status, theirs.current_value) == (ActionStatus.PLANNED, None)


@pytest.mark.django_db
def test_a_value_needs_an_indicator(municipality, actions):
    theirs = actions["theirs"]
    Action.objects.filter(pk=theirs.pk).update(
        indicator_fi="", baseline=None, target=None, current_value=None
    )
    answer = signed_in(partner(municipality)).post("/actions/", progress(theirs))

    assert answer.status_code == 400
    assert "This action has no indicator" in answer.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == ActionStatus.PLANNED


@pytest.mark.django_db
def test_it_is_for_partners_only(municipality, planner):
    anonymous = Client().get("/actions/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert signed_in(planner.user).get("/actions/").status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_partner_updates_an_actions_status_and_indicator_in_the_browser(
    page_in, live_server, municipality, other_town
):
    plan = make_plan(municipality)
    theirs = police_action(plan)
    partner(municipality)
    page = page_in("en")
    page.goto(f"{live_server.url}/actions/")
    page.wait_for_url("**/login/**")
    page.get_by_label("Username").fill("poliisi")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/actions/**")

    section = page.locator(f"#action-{theirs.pk}")
    section.get_by_label("Status").select_option(label="in progress")
    section.get_by_label("Current value").fill("3")
    section.get_by_role("button", name=f"Save the progress of {theirs.title}").click()

    page.get_by_role("status").wait_for()
    assert f"Saved the progress of “{theirs.title}”" in page.get_by_role("status").inner_text()
    theirs.refresh_from_db()
    assert (theirs.status, theirs.current_value) == (ActionStatus.IN_PROGRESS, 3.0)
    assert page.locator(f"#action-{theirs.pk}").get_by_label("Status").input_value() == (
        "in_progress"
    )


def public_action(plan, action) -> dict:
    """The action as an anonymous reader of the plans API gets it."""
    answer = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/api/v1/plans/{plan.pk}/")
    assert answer.status_code == 200
    return next(found for found in answer.json()["actions"] if found["id"] == action.pk)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_public_sees_a_partners_progress_once_a_planner_publishes_it(
    page_in, live_server, municipality, role_groups
):
    """Issue #16: a partner's report is a change to a council document like any other, a
    draft until a planner of the municipality publishes the plan (plans.published)."""
    plan = make_plan(municipality)
    theirs = police_action(plan)
    publish(plan)
    partner(municipality)
    planner = get_user_model().objects.create_user("suunnittelija", password=PASSWORD)
    planner.is_staff = True
    planner.save()
    planner.groups.add(Group.objects.get(name=PLANNERS_GROUP))
    member(planner, municipality, Role.PLANNER)
    before = public_action(plan, theirs)
    assert (before["status"], before["current_value"]) == ("planned", None)

    page = page_in("en")
    page.goto(f"{live_server.url}/login/?next=/actions/")
    page.get_by_label("Username").fill("poliisi")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/actions/**")
    section = page.locator(f"#action-{theirs.pk}")
    section.get_by_label("Status").select_option(label="in progress")
    section.get_by_label("Current value").fill("3")
    section.get_by_role("button", name=f"Save the progress of {theirs.title}").click()
    page.get_by_role("status").wait_for()

    # Saved, but the public still reads the plan as last published.
    theirs.refresh_from_db()
    assert (theirs.status, theirs.current_value) == (ActionStatus.IN_PROGRESS, 3.0)
    unchanged = public_action(plan, theirs)
    assert (unchanged["status"], unchanged["current_value"]) == ("planned", None)

    planner_page = page_in("en")
    planner_page.goto(f"{live_server.url}/admin/login/")
    planner_page.get_by_label("Username").fill("suunnittelija")
    planner_page.get_by_label("Password").fill(PASSWORD)
    planner_page.get_by_role("button", name="Log in").click()
    planner_page.goto(f"{live_server.url}/admin/plans/safetyplan/{plan.pk}/change/")
    planner_page.get_by_role("button", name="Save and publish").click()
    planner_page.get_by_text("Published: the public now sees the plan as it is.").wait_for()

    after = public_action(plan, theirs)
    assert (after["status"], after["current_value"]) == ("in_progress", 3.0)
    page.goto(f"{live_server.url}/plan/{municipality.code}/")
    row = page.locator("tr", has_text=theirs.title)
    assert "In progress" in row.inner_text()
    assert "now 3" in row.inner_text()
