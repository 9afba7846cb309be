# SPDX-License-Identifier: EUPL-1.2
"""Review of a published plan (plans.published): whatever changes a published plan, and
however, is a draft for planners until a planner publishes it; the public page, its PDF,
the public walk protocol and the public API show the plan as last published."""

import json
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from plans.models import Action, ActionStatus, PlanRevision
from tests.api.conftest import PLANNERS_GROUP, make_walk, user_client
from tests.plans.test_pages import pdf_text

pytestmark = pytest.mark.django_db

NEW_ACTION = "Uusi valaistuskävely"


def post_action(client, plan, municipality):
    body = {
        "plan": plan.pk,
        "title_fi": NEW_ACTION,
        "district": municipality.districts.get(code="1").pk,
    }
    response = client.post("/api/v1/actions/", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    return Action.objects.get(pk=response.json()["id"])


def page_text(client, code="285", query="") -> str:
    response = client.get(f"/plan/{code}/{query}")
    assert response.status_code == 200
    return response.content.decode()


def api_titles(client, plan, query="") -> set[str]:
    detail = client.get(f"/api/v1/plans/{plan.pk}/{query}").json()
    return {action["title_fi"] for action in detail["actions"]}


def test_an_action_posted_to_a_published_plan_waits_for_publication(
    plan, planner, public, municipality
):
    planner_page = Client(HTTP_ACCEPT_LANGUAGE="en")
    planner_page.force_login(planner.user)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    before = plan.revisions.get()

    action = post_action(planner, plan, municipality)

    # The public: page, API (list and detail) as before.
    assert NEW_ACTION not in page_text(anonymous)
    assert NEW_ACTION not in api_titles(public, plan)
    listed = public.get("/api/v1/plans/?municipality=285").json()["results"][0]
    assert "unpublished_changes" not in listed
    # The planner: the working copy, marked as unpublished, and the public's on request.
    assert NEW_ACTION in api_titles(planner, plan)
    assert planner.get(f"/api/v1/plans/{plan.pk}/").json()["unpublished_changes"] is True
    working = page_text(planner_page)
    assert NEW_ACTION in working and "Unpublished changes" in working
    assert NEW_ACTION not in page_text(planner_page, query="?version=published")
    assert NEW_ACTION not in api_titles(planner, plan, "?version=published")

    moment = timezone.now() + timedelta(days=2)
    revision = plan.publish(moment=moment, by=planner.user)

    assert NEW_ACTION in page_text(anonymous)
    assert NEW_ACTION in api_titles(public, plan)
    detail = public.get(f"/api/v1/plans/{plan.pk}/").json()
    assert datetime.fromisoformat(detail["last_updated"]) == moment
    assert datetime.fromisoformat(detail["published_at"]) == before.published_at
    assert planner.get(f"/api/v1/plans/{plan.pk}/").json()["unpublished_changes"] is False
    assert revision.published_by == planner.user
    assert f"Last updated {timezone.localtime(moment):%m/%d/%Y}" in page_text(anonymous)
    # Linked observations are published with the action.
    published = next(a for a in detail["actions"] if a["title_fi"] == NEW_ACTION)
    assert published["observations"] == action.observations.visible_to_public().count()


def test_a_changed_or_deleted_action_stays_as_published(plan, public):
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    changed, deleted = plan.actions.order_by("pk")[:2]
    changed.title_fi = "Muutettu otsikko"
    changed.status = ActionStatus.DONE
    changed.save()
    deleted_title, deleted_pk = deleted.title_fi, deleted.pk
    deleted.delete()
    plan.priorities.filter(order=2).update(reason_fi="Uusi perustelu")  # an update() too

    text = page_text(anonymous)
    assert "Muutettu otsikko" not in text and deleted_title in text
    assert "Uusi perustelu" not in text
    statuses = {
        a["id"]: a["status"] for a in public.get(f"/api/v1/plans/{plan.pk}/").json()["actions"]
    }
    assert statuses[changed.pk] != ActionStatus.DONE and deleted_pk in statuses

    plan.publish()
    text = page_text(anonymous)
    assert "Muutettu otsikko" in text and deleted_title not in text
    assert "Uusi perustelu" in text


def test_the_public_protocol_and_pdf_show_the_published_actions(plan, municipality):
    walk = make_walk(municipality, title="Kävely Länteen")
    action = Action.objects.create(plan=plan, year=plan.period_start.year, title_fi=NEW_ACTION)
    action.walks.add(walk)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff_reader = Client(HTTP_ACCEPT_LANGUAGE="en")
    planner = user_client("suunnittelija", group=PLANNERS_GROUP, municipality=municipality)
    staff_reader.force_login(planner.user)

    protocol = f"/walks/{walk.pk}/protocol/"
    assert NEW_ACTION not in anonymous.get(protocol).content.decode()
    assert NEW_ACTION in staff_reader.get(protocol).content.decode()  # internal: working copy
    assert NEW_ACTION not in pdf_text(anonymous.get("/plan/285/plan.pdf").content)

    plan.publish()
    assert NEW_ACTION in anonymous.get(protocol).content.decode()
    assert NEW_ACTION in pdf_text(anonymous.get("/plan/285/plan.pdf").content)


def test_a_plan_marked_published_without_publishing_gets_its_revision_once(plan):
    PlanRevision.objects.filter(plan=plan).delete()
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    page_text(anonymous)
    page_text(anonymous)
    assert plan.revisions.count() == 1


def test_the_first_revisions_migration_keeps_what_the_public_read(plan):
    """plans 0003 gives every published plan a revision of its content as it is."""
    from importlib import import_module

    from django.apps import apps

    PlanRevision.objects.all().delete()
    import_module("plans.migrations.0003_languages_and_revisions").first_revisions(apps, None)
    revision = plan.revisions.get()
    assert revision.stamp == plan.change_stamp()
    models = [row["model"] for row in revision.content]
    assert models.count("plans.action") == plan.actions.count()
