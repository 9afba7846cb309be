# SPDX-License-Identifier: EUPL-1.2
"""geo.picture on a handful of observations whose figures are worked out by hand."""

import datetime
from datetime import UTC, timedelta

import pytest
from django.contrib.gis.geos import Point

from geo.picture import K_ANONYMITY, Period, district_picture, municipality_picture
from walks.models import Category, Observation, StatusChange

PERIOD = Period(datetime.date(2025, 1, 1), datetime.date(2025, 7, 1))
WEST, EAST = (26.92, 60.46), (26.96, 60.46)
MARCH = datetime.datetime(2025, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def observe(municipality):
    def make(category="lamp_out", at=WEST, when=MARCH, **fields):
        return Observation.objects.create(
            municipality=municipality,
            category=Category.objects.get(code=category),
            geom=Point(*at, srid=4326),
            observed_at=when,
            **fields,
        )

    return make


def resolve(observation, after, *, reopened_after=None):
    steps = [("new", "resolved", after)]
    if reopened_after is not None:
        steps += [("resolved", "confirmed", after + timedelta(hours=1))]
        steps += [("confirmed", "resolved", reopened_after)]
    for old, new, delay in steps:
        StatusChange.objects.create(
            observation=observation,
            from_status=old,
            to_status=new,
            changed_at=observation.observed_at + delay,
        )
    Observation.objects.filter(pk=observation.pk).update(status="resolved")


def lighting(picture):
    return next(row for row in picture["themes"] if row["theme"]["code"] == "lighting")


def test_it_counts_a_district_as_worked_out_by_hand(municipality, observe):
    west = municipality.districts.get(code="1")  # population 4000
    observe(severity=2)
    observe(severity=None)  # weighs 3
    resolve(observe(severity=5), timedelta(days=2))
    resolve(observe(severity=1), timedelta(days=1), reopened_after=timedelta(days=5))
    observe(category="safe_place")  # positive: counted apart, no weight
    observe(is_positive=True, severity=5)  # a well-lit place, in a lighting category
    observe(severity=5, status="duplicate")  # not counted
    observe(severity=5, at=EAST)  # another district
    observe(severity=4, when=MARCH - timedelta(days=181))  # previous period
    picture = district_picture(Observation.objects.all(), west, PERIOD, suppress_small=False)
    row = lighting(picture)
    assert row["problems"] == 4
    assert row["positive"] == 1  # safe_place is in the feeling theme
    assert picture["total"]["positive"] == 2
    assert row["resolved"] == 2 and row["open"] == 2
    assert row["share_resolved"] == 0.5
    assert row["severity_weighted"] == 2 + 3 + 5 + 1
    assert row["rate_per_1000"] == pytest.approx(11 / 4000 * 1000)
    # The reopened one counts from its last move to resolved: median of 2 and 5 days.
    assert row["median_days_to_resolve"] == 3.5
    assert row["previous_problems"] == 1
    assert row["change"] == 3 and row["change_percent"] == 300.0


def test_a_rate_needs_a_population(municipality, observe):
    west = municipality.districts.get(code="1")
    west.population = None
    west.save()
    observe(severity=2)
    picture = municipality_picture(
        Observation.objects.all(), municipality, PERIOD, suppress_small=False
    )
    assert picture["districts"][0]["total"]["rate_per_1000"] is None
    assert picture["districts"][1]["total"]["rate_per_1000"] == 0
    assert picture["municipality_total"]["population"] is None


def test_small_cells_are_suppressed_when_asked(municipality, observe):
    west = municipality.districts.get(code="1")
    for _ in range(K_ANONYMITY - 1):
        observe()
    hidden = district_picture(Observation.objects.all(), west, PERIOD)
    assert lighting(hidden)["suppressed"] is True
    assert lighting(hidden)["problems"] is None
    shown = district_picture(Observation.objects.all(), west, PERIOD, suppress_small=False)
    assert lighting(shown)["problems"] == K_ANONYMITY - 1
    observe()
    enough = district_picture(Observation.objects.all(), west, PERIOD)
    assert lighting(enough)["problems"] == K_ANONYMITY
    assert lighting(enough)["previous_suppressed"] is True
    assert lighting(enough)["change"] is None


def test_it_takes_a_few_statements(municipality, observe, django_assert_max_num_queries):
    observe()
    # Themes, districts, and four aggregates.
    with django_assert_max_num_queries(6):
        municipality_picture(Observation.objects.all(), municipality, PERIOD)


@pytest.mark.parametrize(
    "today, start",
    [
        (datetime.date(2026, 11, 23), datetime.date(2025, 11, 24)),
        (datetime.date(2028, 2, 29), datetime.date(2027, 3, 1)),
    ],
)
def test_the_last_year_ends_with_today(today, start):
    period = Period.last_year(today)
    assert (period.start, period.end) == (start, today + timedelta(days=1))
    assert period.previous_start == start - (period.end - period.start)
