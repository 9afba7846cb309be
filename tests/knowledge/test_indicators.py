# SPDX-License-Identifier: EUPL-1.2
"""Indicators: yearly series computed in PostgreSQL, each equal to an independent count.

Accidents: the shapely reference of test_import_incidents over the raw CSV. Observations:
made here with known years, themes, statuses and fix dates, and counted in Python.
"""

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from knowledge.indicators import figures, series
from knowledge.models import AreaStatistic, Indicator, IndicatorValue
from plans.models import Action
from tests.conftest import EAST, WEST
from tests.knowledge.test_import_incidents import helsinki, reference  # noqa: F401
from tests.plans.conftest import make_plan
from walks.models import Status, StatusChange, Theme, Visibility


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_an_accident_indicator_equals_shapely(helsinki, shared_data):  # noqa: F811
    call_command(
        "import_incidents",
        str(shared_data / "incidents/helsinki_traffic_accidents_2011_2016.gpkg"),
        "--municipality", "091", "--kind", "traffic_accident", "--date-field", "Päivä",
        stdout=StringIO(),
    )  # fmt: skip
    _without, _outside, inside = reference(shared_data)
    kallio = helsinki.districts.get(code="11")
    whole = Indicator.objects.create(
        municipality=helsinki, name="Accidents", kind="incidents", incident_kind="traffic_accident"
    )
    in_kallio = Indicator.objects.create(
        municipality=helsinki,
        name="Accidents in Kallio",
        kind="incidents",
        incident_kind="traffic_accident",
        district=kallio,
    )
    crimes = Indicator.objects.create(
        municipality=helsinki, name="Crimes", kind="incidents", incident_kind="crime"
    )

    assert series(whole) == dict(sorted(Counter(year for year, _d in inside.values()).items()))
    surely = Counter(year for year, codes in inside.values() if codes == {"11"})
    maybe = Counter(year for year, codes in inside.values() if "11" in codes and len(codes) > 1)
    got = series(in_kallio)
    assert list(got) == list(range(2011, 2017))
    for year in got:  # a point within a centimetre of Kallio's edge may be on either side
        assert surely[year] <= got[year] <= surely[year] + maybe[year], year
    assert sum(surely.values()) > 100
    assert series(crimes) == {}


def observed(year, minute):
    """Early on 1 January, local time: in the past even for this year."""
    return timezone.make_aware(datetime.datetime(year, 1, 1, 0, minute))


@pytest.fixture
def findings(municipality, make_observation):
    """Observations over three years in both districts; some lighting ones fixed (resolved)
    after a known number of days, one internal, one rejected."""
    this_year = timezone.localdate().year
    years = [this_year - 2, this_year - 1, this_year]
    made = []
    plan = [  # (category, district point, year index, days to fix or None, extra fields)
        ("lamp_out", WEST, 0, 10, {}),
        ("lamp_out", WEST, 0, None, {}),
        ("dark_spot", WEST, 0, 40, {}),
        ("dark_spot", EAST, 0, 5, {}),
        ("lamp_out", WEST, 1, 3, {}),
        ("lamp_out", WEST, 1, 29, {}),
        ("pothole", WEST, 1, 2, {}),
        ("lamp_out", WEST, 2, None, {}),
        ("lamp_out", WEST, 2, 1, {"visibility": Visibility.INTERNAL}),
        ("lamp_out", WEST, 2, None, {"status": Status.REJECTED}),
        ("glare", WEST, 2, 31, {}),
        ("glare", EAST, 2, None, {}),
    ]
    for category, at, year_index, days, fields in plan:
        when = observed(years[year_index], minute=len(made))
        observation = make_observation(category, at=at, observed_at=when, **fields)
        if days is not None:
            StatusChange.objects.create(
                observation=observation,
                from_status=Status.NEW,
                to_status=Status.RESOLVED,
                changed_at=when + datetime.timedelta(days=days),
            )
        made.append((category, at, years[year_index], days, fields))
    return years, made


LIGHTING = {"lamp_out", "dark_spot", "glare"}


def test_an_observation_indicator_equals_a_count_in_python(municipality, findings):
    years, made = findings
    west = municipality.districts.get(code="1")
    lights = Indicator.objects.create(
        municipality=municipality,
        name="Lighting problems in West",
        kind="observations",
        district=west,
        filters={"theme": "lighting"},
    )
    counted = [m for m in made if m[4].get("status") != Status.REJECTED]
    expected = Counter(y for c, at, y, _d, _f in counted if c in LIGHTING and at == WEST)

    assert series(lights) == {year: expected[year] for year in years}
    assert series(lights) == {years[0]: 3, years[1]: 2, years[2]: 3}


def test_an_observation_series_is_0_in_the_years_of_other_observations(municipality, findings):
    """The only pothole is of the middle year: the years before and after, which have other
    observations, are 0 (their first and last are found per category, from the index)."""
    years, made = findings
    potholes = Indicator.objects.create(
        municipality=municipality,
        name="Road condition",
        kind="observations",
        filters={"theme": "road_condition"},
    )
    expected = Counter(y for c, _at, y, _d, f in made if c == "pothole")

    assert series(potholes) == {year: expected[year] for year in years}
    assert series(potholes) == {years[0]: 0, years[1]: 1, years[2]: 0}


def test_a_fixed_share_indicator_equals_a_count_in_python(municipality, findings):
    years, made = findings
    fixed_in_30 = Indicator.objects.create(
        municipality=municipality,
        name="Lighting fixed within 30 days",
        kind="fixed_share",
        theme=Theme.objects.get(code="lighting"),
        days=30,
    )
    counted = [m for m in made if m[4].get("status") != Status.REJECTED and m[0] in LIGHTING]
    expected = {}
    for year in years:
        of_year = [m for m in counted if m[2] == year]
        fixed = [m for m in of_year if m[3] is not None and m[3] <= 30]
        expected[year] = 100 * len(fixed) / len(of_year)

    assert series(fixed_in_30) == pytest.approx(expected)
    assert series(fixed_in_30) == pytest.approx({years[0]: 50, years[1]: 100, years[2]: 25})


def test_area_statistics_and_hand_entered_indicators(municipality):
    west, east = municipality.districts.order_by("code")
    for district, year, value in [(west, 2020, 4000), (east, 2020, 6000), (west, 2021, 4100)]:
        AreaStatistic.objects.create(district=district, name="population", year=year, value=value)
    population = Indicator.objects.create(
        municipality=municipality, name="Population", kind="area_statistic", statistic="population"
    )
    survey = Indicator.objects.create(
        municipality=municipality, name="Feel safe after dark (%)", kind="manual",
        source="Kuntalaiskysely",
    )  # fmt: skip
    IndicatorValue.objects.create(indicator=survey, year=2022, value=61)
    IndicatorValue.objects.create(indicator=survey, year=2020, value=55)

    assert series(population) == {2020: 10000, 2021: 4100}
    assert series(survey) == {2020: 55, 2022: 61}
    assert figures(survey, 2022) == figures(survey, 2021)
    assert figures(survey, 2022).baseline == 55 and figures(survey, 2022).current == 61


def test_an_action_shows_baseline_and_current_from_its_indicator(municipality, findings):
    years, made = findings
    plan = make_plan(municipality)
    lights = Indicator.objects.create(
        municipality=municipality,
        name="Lighting problems in West",
        kind="observations",
        district=municipality.districts.get(code="1"),
        filters={"theme": "lighting"},
    )
    # The target stays typed by hand (action_values_need_indicator wants its text too).
    action = Action.objects.create(
        plan=plan,
        year=years[2],
        title_fi="Lamps renewed",
        indicator_fi="Lighting problems",
        target=1,
        linked_indicator=lights,
    )
    plan.publish()  # the public reads the plan as last published
    # The public page counts what the public may read: not the internal lamp of this year.
    public = Counter(y for c, at, y, _d, f in made if c in LIGHTING and at == WEST and not f)
    baseline, current = public[years[1]], public[years[2]]
    assert (baseline, current) == (2, 2)

    html = Client().get("/plan/285/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    row = html[html.index("Lamps renewed") :]
    row = row[: row.index("</tr>")]
    assert "Lighting problems in West" in row
    assert f"baseline {baseline} ({years[1]}) · target 1.0 · now {current} ({years[2]})" in row
    assert action.linked_indicator == lights
