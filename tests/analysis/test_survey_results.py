# SPDX-License-Identifier: EUPL-1.2
"""Survey results agree with a plain-Python computation over the CSV export, cell by cell;
small areas are hidden from the public, and so many more that none can be worked out.

Testilä has West (1) and East (2); 12 residents of West, 3 of East and 6 who did not say
where they live answer. East (3 < 5) is hidden; West, the 6 and the whole would then give
it away (21 − 12 − 6 = 3), so the smaller shown area, the 6, is hidden too.
"""

import csv
import random
import statistics
from collections import Counter, defaultdict

import pytest

from analysis.exports.survey import export_survey
from analysis.survey import K_SURVEY, survey_results, t_975
from surveys.models import Survey
from surveys.services import submit
from tests.surveys.answers import committed_survey, in_box, random_submission

BOX = (26.90, 60.44, 26.975, 60.48)  # stretches run 0.0015° east
RESIDENTS = [("1", 12), ("2", 3), (None, 6)]
# Student's t 0.975 from a printed table, for the degrees of freedom that occur here.
T_TABLE = {2: 4.303, 5: 2.571, 11: 2.201, 20: 2.086}


@pytest.fixture(scope="module")
def survey(django_db_setup, django_db_blocker):
    with committed_survey(django_db_blocker, "S285", "testila-results") as survey:
        answer_it(survey)
        yield survey


def answer_it(survey):
    rng = random.Random(11)
    questions = Survey.objects.prefetch_related("questions__options").get(pk=survey.pk)
    n = 0
    for district, count in RESIDENTS:
        for _ in range(count):
            n += 1
            submission = random_submission(rng, questions, district, n, position=in_box(BOX))
            assert submit(survey, submission, device_token=f"phone-{n}").created


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def expected_areas(responses, places):
    """Per district code ('' for none, 'whole'): the figures, computed from the files."""
    by_area = defaultdict(list)
    for row in responses:
        by_area[row["home_district"]].append(row)
        by_area["whole"].append(row)
    district_of = {row["uuid"]: row["home_district"] for row in responses}
    reasons = defaultdict(Counter)
    for place in places:
        if place["reason"]:
            for area in (district_of[place["response"]], "whole"):
                reasons[area][(place["question"], place["reason"])] += 1
    result = {}
    for area, rows in by_area.items():
        figures = {"respondents": len(rows), "reasons": reasons[area]}
        for code in ("safety_day", "safety_dark"):
            values = [int(row[code]) for row in rows if row[code]]
            mean = statistics.mean(values)
            half = T_TABLE[len(values) - 1] * statistics.stdev(values) / len(values) ** 0.5
            figures[code] = (len(values), mean, mean - half, mean + half)
        for code in ("unsafe_because", "avoid_evening", "age_group"):
            chosen = [row[code].split(";") for row in rows if row[code]]
            counts = Counter(option for each in chosen for option in each)
            figures[code] = (len(chosen), counts)
        result[area] = figures
    return result


def assert_agrees(cell, expected):
    assert cell["respondents"] == expected["respondents"]
    for code in ("safety_day", "safety_dark"):
        n, mean, low, high = expected[code]
        assert cell[code]["n"] == n
        assert cell[code]["mean"] == pytest.approx(mean, abs=1e-9)
        # The table has three decimals; the code's t as many.
        assert cell[code]["ci_low"] == pytest.approx(low, abs=1e-3)
        assert cell[code]["ci_high"] == pytest.approx(high, abs=1e-3)
    for choice in cell["choices"]:
        answered, counts = expected[choice["question"]]
        assert choice["answered"] == answered
        for option in choice["options"]:
            assert option["count"] == counts.get(option["option"], 0)
            assert option["share"] == pytest.approx(counts.get(option["option"], 0) / answered)
    given = {(r["question"], r["reason"]): r["count"] for r in cell["top_reasons"]}
    for key, count in given.items():
        assert expected["reasons"][key] == count
    for question in {q for q, _ in expected["reasons"]}:
        top = sorted(
            (n for (q, _), n in expected["reasons"].items() if q == question), reverse=True
        )[:5]
        assert sorted((n for (q, _), n in given.items() if q == question), reverse=True) == top


@pytest.mark.django_db
def test_every_cell_agrees_with_a_computation_over_the_csv_export(survey, tmp_path):
    responses = read_csv(export_survey(survey, "responses", "csv", 4326, tmp_path / "r.csv"))
    places = read_csv(export_survey(survey, "places", "csv", 4326, tmp_path / "p.csv"))
    expected = expected_areas(responses, places)
    results = survey_results(survey, suppress_small=False)

    assert len(responses) == 21 and expected["whole"]["reasons"]
    cells = {row["district"]["code"]: row for row in results["districts"]}
    assert_agrees(cells["1"], expected["1"])
    assert_agrees(cells["2"], expected["2"])
    assert_agrees(results["no_district"], expected[""])
    assert_agrees(results["whole"], expected["whole"])


@pytest.mark.django_db
def test_the_public_sees_no_small_area_and_cannot_work_one_out(survey):
    public = survey_results(survey)
    planner = survey_results(survey, suppress_small=False)
    cells = {row["district"]["code"]: row for row in public["districts"]}

    assert cells["2"]["suppressed"] and cells["2"]["respondents"] is None
    assert cells["2"]["safety_dark"] is None and cells["2"]["choices"] == []
    # West and the whole alone would give the East away: the 6 without a district go too.
    assert public["no_district"]["suppressed"]
    assert not cells["1"]["suppressed"] and not public["whole"]["suppressed"]
    assert public["whole"]["respondents"] - cells["1"]["respondents"] == 9  # East + 6, together
    assert public["whole"] == planner["whole"]
    assert all(not row["suppressed"] for row in planner["districts"])
    assert planner["districts"][1]["respondents"] == 3 < K_SURVEY


def test_t_quantiles_match_the_printed_table():
    for df, value in {1: 12.706, 4: 2.776, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980}.items():
        assert t_975(df) == pytest.approx(value, abs=1e-3)
