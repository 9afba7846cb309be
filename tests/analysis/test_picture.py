# SPDX-License-Identifier: EUPL-1.2
"""analysis.picture on a handful of observations whose figures are worked out by hand."""

import datetime
from datetime import UTC, timedelta

import pytest
from django.contrib.gis.geos import Point

from analysis.picture import (
    FIGURES,
    K_ANONYMITY,
    PREVIOUS_FIGURES,
    Period,
    district_picture,
    municipality_picture,
)
from tests.conftest import make_town
from walks.models import Category, Observation, StatusChange

PERIOD = Period(datetime.date(2025, 1, 1), datetime.date(2025, 7, 1))
WEST, EAST = (26.92, 60.46), (26.96, 60.46)
OUTSIDE = (26.95, 60.475)  # north of the districts of make_town(districts_north=60.47)
MARCH = datetime.datetime(2025, 3, 1, 12, tzinfo=UTC)


def create(town, category="lamp_out", at=WEST, when=MARCH, **fields):
    return Observation.objects.create(
        municipality=town,
        category=Category.objects.get(code=category),
        geom=Point(*at, srid=4326),
        observed_at=when,
        **fields,
    )


@pytest.fixture
def observe(municipality):
    def make(category="lamp_out", at=WEST, when=MARCH, **fields):
        return create(municipality, category, at, when, **fields)

    return make


def fill(observe, counts, *, at=WEST, when=MARCH, others=4):
    """counts observations in each theme (by its code), others in every other theme."""
    # One category of each theme; a positive one where there is one.
    every = Category.objects.order_by("theme_id", "-is_positive", "code").distinct("theme_id")
    for category in every.select_related("theme"):
        for _ in range(counts.get(category.theme.code, others)):
            observe(category.code, at=at, when=when)


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


def theme_row(area, code):
    return next(row for row in area["themes"] if row["theme"]["code"] == code)


def lines(picture):
    """Every published line whose cells add up: (name, members, total)."""
    areas = [(a["district"]["code"], a) for a in picture["districts"]]
    areas.append(("outside", picture["outside_districts"]))
    whole = picture["municipality_total"]
    found = [(name, area["themes"], area["total"]) for name, area in [*areas, ("whole", whole)]]
    for i, row in enumerate(whole["themes"]):
        found.append((row["theme"]["code"], [area["themes"][i] for _, area in areas], row))
    found.append(("totals", [area["total"] for _, area in areas], whole["total"]))
    return found


def assert_no_hidden_count_can_be_worked_out(picture):
    """In every published line (a district's themes and total; a theme's or the totals'
    cells of every district, outside and the municipality) no hidden figure is the total
    minus the shown cells: none of the line's cells is hidden, or at least two are. This
    holds for the period and for the previous one, and every hidden cell's figures are
    null. Where nothing is hidden, the line does add up."""
    for name, members, total in lines(picture):
        for flag, figures in [("suppressed", FIGURES), ("previous_suppressed", PREVIOUS_FIGURES)]:
            hidden = [cell for cell in [*members, total] if cell[flag]]
            assert len(hidden) != 1, (name, flag, members, total)
            assert all(cell[figure] is None for cell in hidden for figure in figures)
        if not any(cell["suppressed"] for cell in [*members, total]):
            for figure in ("observations", "problems", "positive", "severity_weighted"):
                assert sum(cell[figure] for cell in members) == total[figure], (name, figure)
        if not any(cell["previous_suppressed"] for cell in [*members, total]):
            assert sum(c["previous_problems"] for c in members) == total["previous_problems"]


def test_it_counts_a_district_as_worked_out_by_hand(municipality, observe):
    west = municipality.districts.get(code="1")  # population 4000
    observe(severity=2)
    observe(severity=None)  # weighs 3
    resolve(observe(severity=5), timedelta(days=2))
    resolve(observe(severity=1), timedelta(days=1), reopened_after=timedelta(days=5))
    west_original = observe(category="safe_place")  # positive: counted apart, no weight
    observe(is_positive=True, severity=5)  # a well-lit place, in a lighting category
    observe(severity=5, status="duplicate", duplicate_of=west_original)  # not counted
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


def test_the_total_does_not_give_a_small_cell_away(municipality, observe):
    west = municipality.districts.get(code="1")
    fill(observe, {"lighting": 2, "road_condition": 3, "feeling": 5})
    shown = district_picture(Observation.objects.all(), west, PERIOD, suppress_small=False)
    public = district_picture(Observation.objects.all(), west, PERIOD)
    # The total is shown; with nothing else hidden, lighting would be 30 − 3 − 5 × 4 − 5.
    assert public["total"]["observations"] == shown["total"]["observations"] == 30
    assert lighting(public)["suppressed"] is True
    # The smallest of the others goes too, every figure of it; the rest stay.
    assert theme_row(public, "road_condition")["suppressed"] is True
    assert theme_row(public, "road_condition")["severity_weighted"] is None
    assert [row["suppressed"] for row in public["themes"]] == [True, True, *[False] * 6]
    assert theme_row(public, "vandalism")["observations"] == 4
    assert theme_row(public, "vandalism")["previous_suppressed"] is True
    assert theme_row(public, "feeling")["positive"] == 5
    whole = municipality_picture(Observation.objects.all(), municipality, PERIOD)
    assert whole["districts"][0] == public
    assert_no_hidden_count_can_be_worked_out(whole)


def test_a_theme_total_does_not_give_a_district_away(db):
    town = make_town(districts_north=60.47)
    for at, how_many in [(WEST, 2), (EAST, 5), (OUTSIDE, 4)]:
        for _ in range(how_many):
            create(town, at=at)
    picture = municipality_picture(Observation.objects.all(), town, PERIOD)
    west, east = picture["districts"]
    # Lighting over the municipality (11) is shown: West's 2 would be 11 − 5 − 4.
    assert lighting(picture["municipality_total"])["observations"] == 11
    assert lighting(west)["suppressed"] is True
    # So the smaller of the other two is hidden as well, and East stays.
    assert lighting(picture["outside_districts"])["suppressed"] is True
    assert lighting(east)["observations"] == 5
    assert_no_hidden_count_can_be_worked_out(picture)
    # A picture of lighting alone hides the same cells.
    narrowed = municipality_picture(Observation.objects.all(), town, PERIOD, theme="lighting")
    for area, full in [
        (narrowed["outside_districts"], picture["outside_districts"]),
        (narrowed["districts"][1], east),
    ]:
        assert area["themes"] == [lighting(full)]
        assert area["total"] == {key: lighting(full)[key] for key in area["total"]}
    assert narrowed["outside_districts"]["total"]["suppressed"] is True


def test_the_previous_period_is_hidden_by_the_same_rule(municipality, observe):
    west = municipality.districts.get(code="1")
    fill(observe, {})
    fill(observe, {"lighting": 2, "road_condition": 3}, when=MARCH - timedelta(days=181))
    picture = municipality_picture(Observation.objects.all(), municipality, PERIOD)
    row = picture["districts"][0]
    # Problems only: feeling's safe places are positive.
    assert row["total"]["previous_problems"] == 2 + 3 + 5 * 4 and row["total"]["change"] == 3
    # Lighting's 2 before would be the total less the others, and its change would give
    # it too: lighting and the smallest other are hidden.
    for cell in row["themes"][:2]:
        assert cell["previous_suppressed"] is True and cell["suppressed"] is False
        assert cell["previous_problems"] is None and cell["change"] is None
        assert cell["change_percent"] is None
    assert theme_row(row, "vandalism")["change"] == 0
    assert_no_hidden_count_can_be_worked_out(picture)
    # The previous cells are hidden as the previous period's own picture hides them.
    before = Period(PERIOD.previous_start, PERIOD.start)
    earlier = municipality_picture(Observation.objects.all(), municipality, before)
    assert [c["previous_suppressed"] for c in row["themes"]] == [
        c["suppressed"] for c in earlier["districts"][0]["themes"]
    ]
    assert_no_hidden_count_can_be_worked_out(earlier)
    assert district_picture(Observation.objects.all(), west, before) == earlier["districts"][0]


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
