# SPDX-License-Identifier: EUPL-1.2
"""The plan page and its PDF show the resident survey's section in Finnish, Swedish and
English: the district table with small districts hidden, and where residents feel unsafe."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from surveys.services import submit
from surveys.template import from_template
from tests.conftest import WEST
from tests.plans.conftest import make_plan
from tests.plans.test_pages import pdf_text

HEADINGS = {
    "fi": ("Asukaskysely", "Turvallisuus pimeällä", "piilotettu", "Missä asukkaat tuntevat"),
    "sv": ("Invånarenkät", "Trygghet när det är mörkt", "dold", "Där invånarna känner sig"),
    "en": ("Resident survey", "Safety after dark", "hidden", "Where residents feel unsafe"),
}


@pytest.fixture
def surveyed(municipality):
    plan = make_plan(municipality)
    today = timezone.localdate()
    survey = from_template(municipality, "testila", today, today + datetime.timedelta(days=9))
    place = {
        "question": "unsafe_places",
        "geometry": {"type": "Point", "coordinates": list(WEST)},
        "reason": "lighting",
        "time_of_day": "dark",
    }
    for n in range(7):
        answers = {"home_district": "1", "safety_day": 4, "safety_dark": 1 + n % 3}
        submit(survey, {"answers": answers, "places": [place]}, device_token=f"phone-{n}")
    submit(
        survey,
        {"answers": {"home_district": "2", "safety_day": 5, "safety_dark": 5}},
        device_token="phone-east",
    )
    return plan


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_plan_page_and_its_pdf_show_the_survey(surveyed, language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    page = client.get("/plan/285/").content.decode()
    printed = client.get("/plan/285/plan.pdf")
    text = pdf_text(printed.content)

    heading, dark, hidden, unsafe_map = HEADINGS[language]
    section = page[
        page.index('id="survey-section"') : page.index(
            "</section>", page.index('id="survey-section"')
        )
    ]
    assert heading in section and dark in section
    assert "<td>7</td>" in section  # West's respondents
    # East (1) and, with it, those who named no district
    assert section.count(f'<td colspan="4" class="hidden-cell">{hidden}</td>') == 2
    assert "<td>8</td>" in section  # the whole
    assert unsafe_map in page
    for words in (heading, dark, unsafe_map):
        assert words in text, words
