# SPDX-License-Identifier: EUPL-1.2
"""Places marked on the survey's map become observations with source `survey` (on the heat
map, in the picture, filterable), unless the planner says otherwise."""

import datetime
import json

import pytest
from django.utils import timezone

from surveys.models import Place
from surveys.services import submit
from surveys.template import from_template
from walks.models import LightCondition, Observation, PositionSource, Source

pytestmark = pytest.mark.django_db

SUBMISSION = {
    "answers": {"safety_day": 4, "safety_dark": 2},
    "places": [
        {
            "question": "unsafe_places",
            "geometry": {"type": "Point", "coordinates": [26.92, 60.46]},
            "reason": "lighting",
            "time_of_day": "dark",
            "note": "Alikulku",
        },
        {
            "question": "unsafe_stretches",
            "geometry": {"type": "LineString", "coordinates": [[26.95, 60.45], [26.96, 60.45]]},
        },
        {
            "question": "safe_places",
            "geometry": {"type": "Point", "coordinates": [26.97, 60.47]},
            "reason": "lively",
            "time_of_day": "always",
        },
    ],
}


@pytest.fixture
def survey(municipality):
    today = timezone.localdate()
    return from_template(municipality, "testila", today, today + datetime.timedelta(days=9))


def test_map_answers_become_survey_observations(survey, client):
    submit(survey, SUBMISSION, device_token="phone-1")
    by_question = {place.question.code: place.observation for place in Place.objects.all()}

    dark = by_question["unsafe_places"]
    assert (dark.source, dark.category.code, dark.light_condition) == (
        Source.SURVEY,
        "dark_spot",
        LightCondition.DARK,
    )
    assert dark.district.code == "1" and dark.description == "Alikulku"
    assert dark.position_source == PositionSource.MAP and not dark.is_positive
    stretch = by_question["unsafe_stretches"]
    assert stretch.category.code == "unsafe_place" and stretch.stretch is not None
    assert stretch.light_condition == "" and stretch.district.code == "2"
    safe = by_question["safe_places"]
    assert safe.is_positive and safe.category.code == "safe_place"
    assert Observation.objects.visible_to_public().count() == 3

    listed = client.get("/api/v1/observations/?source=survey")
    assert listed.status_code == 200, listed.content
    assert {f["id"] for f in json.loads(listed.content)["features"]} == {
        dark.pk,
        stretch.pk,
        safe.pk,
    }


def test_the_planner_can_keep_map_answers_out_of_the_observations(survey):
    survey.map_answers_to_observations = False
    survey.save()
    submit(survey, SUBMISSION, device_token="phone-1")

    assert Place.objects.count() == 3
    assert Observation.objects.count() == 0
