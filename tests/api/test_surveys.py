# SPDX-License-Identifier: EUPL-1.2
"""/api/v1/surveys/: reading a survey, answering it once per device, its results and the
planners' export of the answers."""

import csv
import datetime
import io
import json

import pytest
from django.utils import timezone

from surveys.models import Answer, Place, Response
from surveys.services import submit
from surveys.template import from_template
from tests.api.conftest import member, user_client
from tests.surveys.answers import committed_survey
from walks.roles import Role

pytestmark = pytest.mark.django_db

ANSWER = {
    "uuid": "0b7c6f0e-7a3e-4d9a-9c43-4d4c0c6e2a10",
    "device": "phone-token-1",
    "language": "fi",
    "answers": {
        "home_district": "1",
        "safety_day": 4,
        "safety_dark": 2,
        "unsafe_because": ["lighting", "crime"],
        "age_group": "30_49",
        "ideas": "Lisää valoa",
    },
    "places": [
        {
            "question": "unsafe_places",
            "geometry": {"type": "Point", "coordinates": [26.93, 60.46]},
            "reason": "lighting",
            "time_of_day": "dark",
        },
        {
            "question": "unsafe_stretches",
            "geometry": {"type": "LineString", "coordinates": [[26.95, 60.45], [26.96, 60.45]]},
        },
    ],
}


@pytest.fixture
def survey(municipality):
    today = timezone.localdate()
    return from_template(municipality, "testila", today, today + datetime.timedelta(days=9))


def post(client, survey, body):
    return client.post(
        f"/api/v1/surveys/{survey.slug}/responses/",
        json.dumps(body),
        content_type="application/json",
    )


def test_it_stores_an_answer_once_and_refuses_a_second_from_the_device(public, survey):
    first = post(public, survey, ANSWER)
    again = post(public, survey, ANSWER)
    second = post(public, survey, {**ANSWER, "uuid": "5d7e3f7a-31b2-4a43-9a0e-6d5f0d0b1c22"})

    assert (first.status_code, first.json()["result"]) == (201, "created")
    assert (again.status_code, again.json()["result"]) == (200, "exists")
    assert second.status_code == 409
    assert second.json()["detail"] == ["This device has already answered this survey. Thank you!"]
    response = Response.objects.get()
    assert response.device != "phone-token-1" and response.home_district.code == "1"
    assert Answer.objects.count() == 6 and Place.objects.count() == 2
    stretch = Place.objects.get(stretch__isnull=False)
    assert stretch.geom.coords == pytest.approx((26.955, 60.45))


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"answers": {**ANSWER["answers"], "safety_day": 7}}, "safety_day"),
        ({"answers": {**ANSWER["answers"], "unsafe_because": ["ufo"]}}, "unsafe_because"),
        ({"answers": {**ANSWER["answers"], "home_district": "99"}}, "home_district"),
        ({"answers": {**ANSWER["answers"], "nope": 1}}, "nope"),
        ({"answers": {"safety_day": 3}}, "safety_dark"),
        ({"places": [{**ANSWER["places"][0], "reason": "aliens"}]}, "places[0].reason"),
        (
            {
                "places": [
                    {
                        **ANSWER["places"][0],
                        "geometry": {"type": "Point", "coordinates": [24.9, 60.1]},
                    }
                ]
            },
            "places[0].geometry",
        ),
        (
            {"places": [{**ANSWER["places"][1], "geometry": ANSWER["places"][0]["geometry"]}]},
            "places[0].geometry",
        ),
        ({"uuid": "not-a-uuid"}, "uuid"),
    ],
)
def test_bad_input_names_what_is_wrong_and_stores_nothing(public, survey, change, key):
    answer = post(public, survey, {**ANSWER, **change})

    assert answer.status_code == 400, answer.content
    assert key in answer.json()
    assert Response.objects.count() == Answer.objects.count() == Place.objects.count() == 0


def test_it_answers_in_the_callers_language(public, survey):
    answer = public.post(
        f"/api/v1/surveys/{survey.slug}/responses/",
        json.dumps({**ANSWER, "answers": {"safety_day": 9, "safety_dark": 1}}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="sv",
    )
    assert answer.json()["safety_day"] == ["Välj ett tal från 1 till 5."]


def test_a_closed_survey_and_a_template_take_no_answers(public, survey):
    survey.closes_on = survey.opens_on = timezone.localdate() - datetime.timedelta(days=3)
    survey.save()
    closed = post(public, survey, ANSWER)
    survey.is_template = True
    survey.closes_on = timezone.localdate()
    survey.save()

    assert closed.status_code == 409
    assert post(public, survey, ANSWER).status_code == 404
    assert Response.objects.count() == 0


def test_the_public_reads_the_survey_and_small_areas_stay_hidden(public, planner, survey):
    post(public, survey, ANSWER)
    detail = public.get(f"/api/v1/surveys/{survey.slug}/").json()
    public_results = public.get(f"/api/v1/surveys/{survey.slug}/results/").json()
    planner_results = planner.get(f"/api/v1/surveys/{survey.slug}/results/").json()

    assert [q["code"] for q in detail["questions"]][:3] == [
        "home_district",
        "age_group",
        "safety_day",
    ]
    assert public_results["whole"]["suppressed"] and public_results["whole"]["respondents"] is None
    assert planner_results["whole"]["respondents"] == 1
    assert planner_results["districts"][0]["safety_dark"]["mean"] == 2


def test_another_municipalitys_planner_reads_a_survey_as_the_public(public, survey, other_town):
    elsewhere = user_client("muualla")
    member(elsewhere.user, other_town, Role.PLANNER)
    post(public, survey, ANSWER)
    survey.is_template = True
    survey.save()

    assert elsewhere.get(f"/api/v1/surveys/{survey.slug}/").status_code == 404
    survey.is_template = False
    survey.save()
    results = elsewhere.get(f"/api/v1/surveys/{survey.slug}/results/").json()
    assert results["whole"]["suppressed"] and results["whole"]["respondents"] is None
    export = elsewhere.get(f"/api/v1/surveys/{survey.slug}/exports/responses.csv")
    assert export.status_code == 403


def test_templates_are_the_planners_own(public, planner, survey):
    survey.is_template = True
    survey.save()

    assert public.get(f"/api/v1/surveys/{survey.slug}/").status_code == 404
    assert public.get("/api/v1/surveys/").json() == []
    assert planner.get(f"/api/v1/surveys/{survey.slug}/").json()["is_template"] is True


@pytest.fixture(scope="module")
def answered(django_db_setup, django_db_blocker):
    """An answered survey that ogr2ogr can read (its own connection sees committed rows)."""
    with committed_survey(django_db_blocker, "E285", "export-survey") as survey:
        submit(survey, ANSWER, device_token=ANSWER["device"])
        yield survey


def test_planners_export_the_answers_and_nobody_else(public, lighting_staff, planner, answered):
    survey = answered
    url = f"/api/v1/surveys/{survey.slug}/exports/responses.csv"
    # The planner of the test town is no planner of E285: refused until made one.
    assert planner.get(url).status_code == 403
    member(planner.user, survey.municipality, Role.PLANNER)

    answer = planner.get(url)
    rows = list(csv.DictReader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))

    assert answer.status_code == 200
    assert rows[0]["unsafe_because"] == "crime;lighting" and rows[0]["safety_dark"] == "2"
    assert rows[0]["home_district"] == "1" and "device" not in rows[0]
    assert public.get(url).status_code in (401, 403)
    assert lighting_staff.get(url).status_code == 403
    assert planner.get(f"{url}?lang=fi").status_code == 400
    gpkg = planner.get(f"/api/v1/surveys/{survey.slug}/exports/all.gpkg")
    assert gpkg.status_code == 200 and gpkg["Content-Crs"].endswith("/3067>")


def test_the_district_picture_carries_the_survey_indicators(public, planner, survey, municipality):
    for n in range(6):
        answer = {**ANSWER, "uuid": None, "answers": {**ANSWER["answers"], "safety_day": 1 + n % 5}}
        submit(survey, answer, device_token=f"phone-{n}")
    submit(
        survey,
        {"answers": {"home_district": "2", "safety_day": 5, "safety_dark": 5}},
        device_token="x-1",
    )
    west, east = municipality.districts.order_by("code")

    district = public.get(f"/api/v1/districts/{west.pk}/picture/").json()["survey"]
    whole = public.get("/api/v1/municipalities/285/picture/").json()["survey"]
    planners = planner.get(f"/api/v1/districts/{east.pk}/picture/").json()["survey"]

    assert district["survey"]["slug"] == "testila" and district["previous_survey"] is None
    assert district["district"]["respondents"] == 6
    assert district["district"]["safety_day"]["mean"] == pytest.approx(16 / 6)
    assert (
        district["district"]["safety_dark"]["ci_low"] == pytest.approx(2)
        and district["district"]["safety_day_change"] is None
    )
    # East (1) is hidden, and so are those who named no district (0): the whole minus West
    # is the two together, never one of them.
    assert [row["suppressed"] for row in whole["districts"]] == [False, True]
    assert whole["no_district"]["suppressed"]
    assert whole["whole"]["respondents"] == 7
    assert planners["district"]["respondents"] == 1
