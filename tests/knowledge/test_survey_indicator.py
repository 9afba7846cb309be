# SPDX-License-Identifier: EUPL-1.2
"""A survey indicator: an action's baseline from one resident survey, its current value from
the next (issue #11). The expected means are the answers' plain averages, worked out here;
the small East district is hidden as the survey results hide it from the public."""

import datetime
import uuid
from statistics import mean

import pytest
from django.test import Client
from django.utils import timezone, translation

from knowledge.indicators import figures, series
from knowledge.models import Indicator
from plans.models import Action
from surveys.services import submit
from surveys.template import from_template
from tests.plans.conftest import make_plan

# Perceived safety after dark, by residents of West (1) and East (2), in two rounds.
FIRST = {"1": [2, 2, 3, 1, 2, 3], "2": [4, 5]}
SECOND = {"1": [3, 4, 3, 4, 2, 4, 5], "2": [5]}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def answer(survey, answers_by_district):
    n = 0
    for district, values in answers_by_district.items():
        for value in values:
            n += 1
            submission = {
                "uuid": str(uuid.uuid4()),
                "language": "fi",
                "answers": {"home_district": district, "safety_day": 3, "safety_dark": value},
                "places": [],
            }
            assert submit(survey, submission, device_token=f"{survey.slug}-{n}").created


@pytest.fixture
def two_surveys(municipality):
    """Last year's survey and this year's, answered through the page's service."""
    today = timezone.localdate()
    first = from_template(municipality, "testila-first", today, today)
    answer(first, FIRST)
    a_year_ago = today - datetime.timedelta(days=366)
    type(first).objects.filter(pk=first.pk).update(opens_on=a_year_ago, closes_on=a_year_ago)
    second = from_template(municipality, "testila-second", today, today)
    answer(second, SECOND)
    return a_year_ago.year, today.year


def test_a_survey_indicator_is_each_surveys_mean(municipality, two_surveys):
    before, now = two_surveys
    west, east = municipality.districts.order_by("code")

    def indicator(district):
        return Indicator.objects.create(
            municipality=municipality,
            name=f"Safe after dark {district}",
            kind="survey",
            survey_measure="safety_dark",
            district=district,
        )

    everyone = {year: mean(sum(rounds.values(), [])) for year, rounds in
                [(before, FIRST), (now, SECOND)]}  # fmt: skip
    assert series(indicator(None)) == pytest.approx(everyone)
    assert series(indicator(west)) == pytest.approx(
        {before: mean(FIRST["1"]), now: mean(SECOND["1"])}
    )
    # East has fewer than 5 respondents in each round: hidden from the public, so no value.
    assert series(indicator(east)) == {}


def test_an_action_shows_baseline_from_one_survey_and_current_from_the_next(
    municipality, two_surveys
):
    before, now = two_surveys
    plan = make_plan(municipality)
    safe_after_dark = Indicator.objects.create(
        municipality=municipality,
        name="Residents of West feeling safe after dark",
        kind="survey",
        survey_measure="safety_dark",
        district=municipality.districts.get(code="1"),
    )
    Action.objects.create(
        plan=plan, year=now, title_fi="Polkujen valaistus", indicator_fi="Turvallisuuden tunne",
        target=4, linked_indicator=safe_after_dark,
    )  # fmt: skip
    plan.publish()
    shown = figures(safe_after_dark, now)
    assert (shown.baseline_year, shown.current_year) == (before, now)
    baseline, current = mean(FIRST["1"]), mean(SECOND["1"])
    assert (shown.baseline, shown.current) == pytest.approx((baseline, current))

    html = Client().get("/plan/285/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    row = html[html.index("Polkujen valaistus") :]
    row = row[: row.index("</tr>")]
    assert "Residents of West feeling safe after dark" in row
    # The page rounds to one decimal (floatformat:"-1").
    assert f"baseline {baseline:.1f} ({before})" in row, row
    assert f"now {current:.1f} ({now})" in row, row
