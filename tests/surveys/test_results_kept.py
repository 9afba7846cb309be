# SPDX-License-Identifier: EUPL-1.2
"""A survey's sums are kept in the cache (analysis.survey.kept_sums): asked again, the
results come without the grouped statements; a new response is in them at once."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analysis.survey import survey_results
from surveys.services import submit
from surveys.template import from_template

OPENS, CLOSES = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)


def answer(survey, n: int, day: int):
    submission = {"answers": {"home_district": "1", "safety_day": day, "safety_dark": 3}}
    assert submit(survey, submission, device_token=f"phone-{n}").created


def grouped_answer_statements(queries) -> int:
    return sum('FROM "surveys_answer"' in query["sql"] for query in queries)


@pytest.mark.django_db
def test_results_are_kept_and_a_new_response_is_in_them_at_once(municipality):
    survey = from_template(municipality, "testila-kept", OPENS, CLOSES)
    for n in range(5):
        answer(survey, n, day=4)
    first = survey_results(survey)
    with CaptureQueriesContext(connection) as again:
        assert survey_results(survey) == first
    assert grouped_answer_statements(again.captured_queries) == 0

    answer(survey, 5, day=1)
    with CaptureQueriesContext(connection) as after:
        results = survey_results(survey)
    assert grouped_answer_statements(after.captured_queries) > 0
    assert results["whole"]["respondents"] == 6
    # (5 · 4 + 1) / 6
    assert results["whole"]["safety_day"]["mean"] == pytest.approx(21 / 6)
    assert first["whole"]["safety_day"]["mean"] == 4
