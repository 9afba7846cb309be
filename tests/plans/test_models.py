# SPDX-License-Identifier: EUPL-1.2
"""The plan's integrity rules hold in the database itself, whatever writes the rows."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from plans.models import Action, CitizenPromise, PlanState, Priority, SafetyPlan
from walks.models import Theme

pytestmark = pytest.mark.django_db


def refused(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_it_keeps_the_term_in_order(plan):
    refused(lambda: SafetyPlan.objects.filter(pk=plan.pk).update(period_end=F("period_start")))


def test_it_dates_every_published_plan(plan):
    refused(lambda: SafetyPlan.objects.filter(pk=plan.pk).update(published_at=None))
    SafetyPlan.objects.filter(pk=plan.pk).update(state=PlanState.DRAFT, published_at=None)


def test_it_knows_only_its_states(plan):
    refused(lambda: SafetyPlan.objects.filter(pk=plan.pk).update(state="archived"))


def test_it_has_one_whole_municipality_priority_per_theme(plan):
    traffic = Theme.objects.get(code="traffic")
    refused(lambda: Priority.objects.create(plan=plan, theme=traffic, reason_fi="Toinen"))


def test_it_wants_a_reason_for_a_priority(plan):
    refused(lambda: Priority.objects.create(plan=plan, theme=Theme.objects.get(code="other")))


def test_it_refuses_unknown_action_codes(plan):
    action = plan.actions.first()
    refused(lambda: Action.objects.filter(pk=action.pk).update(status="forgotten"))
    refused(lambda: Action.objects.filter(pk=action.pk).update(owner_kind="church"))
    refused(lambda: Action.objects.filter(pk=action.pk).update(year=1066))


def test_it_wants_an_indicator_for_numbers(plan):
    refused(
        lambda: Action.objects.create(
            plan=plan, year=2026, title_fi="Luvut ilman mittaria", target=3
        )
    )


def test_it_makes_promises_with_the_police(plan):
    refused(lambda: CitizenPromise.objects.create(plan=plan, title_fi="Lupaus", text_fi="Teksti"))


def test_it_checks_an_action_against_its_plan(plan, municipality):
    from django.core.exceptions import ValidationError

    action = Action(plan=plan, year=plan.period_end.year + 1, title_fi="Liian myöhään")
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    assert "year" in error.value.message_dict


def test_it_changes_its_stamp_when_an_action_changes(plan):
    before = plan.change_stamp()
    action = plan.actions.first()
    action.status = "done"
    action.save()
    assert plan.change_stamp() != before
    before = plan.change_stamp()
    action.delete()
    assert plan.change_stamp() != before


def test_it_publishes_with_a_date(draft):
    draft.publish()
    draft.refresh_from_db()
    assert draft.is_published and draft.published_at is not None
    assert SafetyPlan.objects.published().filter(pk=draft.pk).exists()
    assert date.today().year - 1 <= draft.published_at.year
