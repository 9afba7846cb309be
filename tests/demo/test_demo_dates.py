# SPDX-License-Identifier: EUPL-1.2
"""The demo's dates (demo.dates): it ends on the day of its first load, so every period the
pages offer has figures, and a later run keeps the dates it was first loaded with.

The demo is loaded once for the module, as of the real clock, and rolled back at the end.
"""

from datetime import date, datetime, timedelta

import pytest
from django.db import transaction
from django.db.models import Max
from django.test import override_settings
from django.utils import timezone

from analysis.picture import Period
from demo import build
from demo.dates import DemoClock
from demo.patterns import HELSINKI
from demo.place import DEMO_WALKS
from geo.models import Municipality
from plans.models import SafetyPlan
from plans.page import plan_period
from tests.demo.test_demo import counts, snapshot
from walks.models import Observation, SafetyWalk, StatusChange, WalkState


def load(now=None) -> build.DemoReport:
    with override_settings(DEBUG=True):
        return build.load_demo(now)


@pytest.fixture(scope="module")
def loaded_at(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        now = timezone.now()
        load(now)
        yield now
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded_at, db):
    return Municipality.objects.get(code=build.DEMO_CODE)


def local(moment: datetime) -> datetime:
    return moment.astimezone(HELSINKI).replace(tzinfo=None)


def assert_dated_as_of(demo, now: datetime):
    """Nothing after `now`; the walks where the written dates put them, moved to `now`."""
    clock = DemoClock.as_of(now)
    observations = Observation.objects.filter(municipality=demo)
    assert observations.aggregate(last=Max("observed_at"))["last"] <= now
    assert observations.aggregate(last=Max("updated_at"))["last"] <= now
    changes = StatusChange.objects.filter(observation__municipality=demo)
    assert changes.aggregate(last=Max("changed_at"))["last"] <= now
    for spec in DEMO_WALKS:
        walk = SafetyWalk.objects.get(join_code=spec.join_code)
        assert local(walk.starts_at) == local(spec.starts_at) + timedelta(days=clock.days)
    walking = SafetyWalk.objects.get(municipality=demo, state=WalkState.WALKING)
    assert now - timedelta(days=8) < walking.starts_at < now


def test_it_ends_on_the_day_of_its_first_load(demo, loaded_at):
    assert_dated_as_of(demo, loaded_at)
    newest_report = Observation.objects.filter(municipality=demo, walk=None).latest("observed_at")
    assert loaded_at - newest_report.observed_at < timedelta(days=3)


def test_every_period_has_figures_in_every_district(demo, loaded_at):
    today = timezone.localdate(loaded_at)
    year = Period.last_year(today)
    plan = SafetyPlan.objects.get(municipality=demo)
    periods = {
        "last 30 days": (today - timedelta(days=29), today + timedelta(days=1)),
        "last 12 months": (year.start, year.end),
        "the 12 months before": (year.previous_start, year.start),
        "the plan's period": (plan_period(plan).start, plan_period(plan).end),
    }
    for name, (start, end) in periods.items():
        observed = Observation.objects.filter(municipality=demo).observed_between(start, end)
        for district in demo.districts.all():
            assert observed.in_district(district).exists(), (name, district.name)
    assert plan.period_start < today < plan.period_end
    assert plan.published_at < loaded_at
    deadlines = list(plan.actions.values_list("deadline", flat=True))
    assert min(deadlines) < today < max(deadlines)


def test_a_later_run_keeps_the_dates_of_the_first_load(demo, loaded_at):
    before, rows = counts(), snapshot()
    plan = SafetyPlan.objects.values("period_start", "period_end", "published_at").get()

    report = load(loaded_at + timedelta(days=40))

    assert not report.created_anything
    assert counts() == before
    assert snapshot() == rows
    assert SafetyPlan.objects.values("period_start", "period_end", "published_at").get() == plan

    # Also when its observations were deleted: the day is read back from the first walk.
    Observation.objects.filter(municipality=demo).delete()
    load(loaded_at + timedelta(days=40))
    assert snapshot() == rows


def test_a_fresh_demo_is_dated_by_the_day_it_is_loaded(demo, loaded_at):
    SafetyPlan.objects.filter(municipality=demo).delete()
    Observation.objects.filter(municipality=demo).delete()
    SafetyWalk.objects.filter(municipality=demo).delete()
    earlier = loaded_at - timedelta(days=200)

    load(earlier)

    assert_dated_as_of(demo, earlier)
    plan = SafetyPlan.objects.get(municipality=demo)
    clock = DemoClock.as_of(earlier)
    assert plan.period_start == clock.day(date(2025, 6, 1))  # as demo.plan writes it
    assert plan.period_start <= timezone.localdate(earlier) <= plan.period_end
    years = f"{plan.period_start.year}–{plan.period_end.year}"
    assert (plan.title_fi, plan.title_sv, plan.title_en) == (
        f"Lyhtylän turvallisuussuunnitelma {years}",
        f"Lyhtyläs trygghetsplan {years}",
        f"Lyhtylä safety plan {years}",
    )


@pytest.mark.parametrize(
    ("local_now", "anchor"),
    [
        (datetime(2026, 12, 5, 12, 0), datetime(2026, 12, 5, 12, 0)),
        (datetime(2026, 12, 5, 23, 59), datetime(2026, 12, 5, 12, 0)),
        (datetime(2026, 12, 6, 11, 59), datetime(2026, 12, 5, 12, 0)),
        # Summer time: the anchor is still noon on the wall clock.
        (datetime(2026, 7, 1, 15, 0), datetime(2026, 7, 1, 12, 0)),
        (datetime(2025, 12, 1, 12, 0), datetime(2025, 12, 1, 12, 0)),
    ],
)
def test_a_day_of_the_demo_begins_at_noon(local_now, anchor):
    """Two loads on the same day (from noon to noon) make the same demo."""
    clock = DemoClock.as_of(local_now.replace(tzinfo=HELSINKI))
    assert local(clock.anchor) == anchor
    assert clock.anchor <= local_now.replace(tzinfo=HELSINKI)
