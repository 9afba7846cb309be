# SPDX-License-Identifier: EUPL-1.2
"""Indicators of the knowledge base that need the survey results (knowledge.indicators
names this module's functions: it sits in a lower layer).

A survey indicator's value in a year is the mean answer to one perceived-safety question
(1 very unsafe … 5 very safe) in that year's resident survey of the municipality — the
latest to open, when a year had two — among the respondents living in the indicator's
district (or all of them). Its figures are the survey results' own (analysis.survey), with
the small areas hidden as they are from the public, for every reader: a plan and its
follow-up report are public documents. A year whose area is hidden, or that nobody
answered, is left out of the series.
"""

from analysis.survey import survey_results
from surveys.models import Survey


def survey_series(indicator, observations=None) -> dict[int, float]:
    """{survey year: mean answer} (observations are not used: the survey has its own)."""
    surveys = (
        Survey.objects.answerable()
        .in_municipality(indicator.municipality)
        .filter(responses__isnull=False)
        .distinct()
        .order_by("opens_on", "pk")
    )
    latest_of_year = {survey.opens_on.year: survey for survey in surveys}
    values = {}
    for year, survey in latest_of_year.items():
        results = survey_results(survey, suppress_small=True)
        if indicator.district_id is None:
            area = results["whole"]
        else:
            area = next(
                row
                for row in results["districts"]
                if row["district"]["id"] == indicator.district_id
            )
        mean = (area[indicator.survey_measure] or {}).get("mean")
        if mean is not None:
            values[year] = mean
    return values
