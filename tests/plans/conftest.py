# SPDX-License-Identifier: EUPL-1.2
"""A small plan in the test town (tests.conftest.make_town), and the browser fixtures of
tests/frontend for the page tests."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from plans.models import Action, ActionStatus, CitizenPromise, PlanState, Priority, SafetyPlan
from tests.api.conftest import make_walk, planner, public, user_client  # noqa: F401
from tests.frontend.conftest import page_in, seeded_taxonomy  # noqa: F401
from walks.models import Theme


@pytest.fixture(autouse=True)
def no_basemap_in_prints(settings):
    """Printing never asks the internet for tiles in tests."""
    settings.PRINT_BASEMAP = False


def make_plan(municipality, *, state=PlanState.PUBLISHED, title="Testilän turvallisuussuunnitelma"):
    today = timezone.localdate()
    plan = SafetyPlan.objects.create(
        municipality=municipality,
        title_fi=title,
        period_start=date(today.year - 1, 6, 1),
        period_end=date(today.year + 3, 5, 31),
        summary_fi="Valaistus ja liikenne ensin.",
    )
    west = municipality.districts.get(code="1")
    lighting = Priority.objects.create(
        plan=plan,
        theme=Theme.objects.get(code="lighting"),
        district=west,
        reason_fi="Pimeät polut",
        order=1,
    )
    Priority.objects.create(
        plan=plan, theme=Theme.objects.get(code="traffic"), reason_fi="Suojatiet", order=2
    )
    for n, status in enumerate(ActionStatus.values):
        Action.objects.create(
            plan=plan,
            priority=lighting,
            year=today.year,
            title_fi=f"Toimenpide {status}",
            owner_name="Katuvalaistus",
            responsible_person="Aino Virtanen",
            deadline=today + timedelta(days=30 * n),
            status=status,
            indicator_fi="Avoimet valohavainnot",
            baseline=10,
            target=2,
        )
    promise = CitizenPromise.objects.create(
        plan=plan, title_fi="Valoisampi Länsi", text_fi="Poliisi partioi.", police="Poliisi"
    )
    promise.priorities.add(lighting)
    if state == PlanState.PUBLISHED:
        plan.publish()
        plan.refresh_from_db()
    return plan


@pytest.fixture
def plan(municipality):
    return make_plan(municipality)


@pytest.fixture
def draft(municipality):
    return make_plan(municipality, state=PlanState.DRAFT, title="Luonnos")
