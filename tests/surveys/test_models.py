# SPDX-License-Identifier: EUPL-1.2
"""The survey model: the default template, copying for the next round, the admin, and one
response per device."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError

from surveys.models import Question, QuestionKind, Response, Survey, device_hash
from surveys.template import from_template, load_template
from walks.roles import PLANNERS_GROUP

OPENS, CLOSES = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)


@pytest.fixture
def survey(municipality):
    return from_template(municipality, "testila-2026", OPENS, CLOSES)


def test_it_builds_the_default_template_in_three_languages(survey):
    spec = load_template()
    questions = list(survey.questions.prefetch_related("options__category"))

    assert [q.code for q in questions] == [q["code"] for q in spec["questions"]]
    for question, expected in zip(questions, spec["questions"], strict=True):
        assert (question.text_fi, question.text_sv, question.text_en) == tuple(
            expected["text"][language] for language in ("fi", "sv", "en")
        )
        options = expected.get("options", [])
        assert [o.code for o in question.options.all()] == [o["code"] for o in options]
        assert [o.category.code if o.category else None for o in question.options.all()] == [
            o.get("category") for o in options
        ]
    kinds = {q.kind for q in questions}
    assert set(QuestionKind.values) - kinds == set()
    assert survey.title_sv == "Enkät om vardagstrygghet"


def test_a_copy_has_its_own_questions_and_leaves_the_original_alone(survey, municipality):
    copy = survey.copy(
        slug="testila-2027", opens_on=datetime.date(2027, 1, 1), closes_on=CLOSES.replace(year=2027)
    )
    copy.questions.filter(code="ideas").update(text_en="Changed")
    copy.questions.get(code="age_group").options.first().delete()

    assert copy.pk != survey.pk and copy.municipality == municipality
    assert survey.questions.get(code="ideas").text_en != "Changed"
    assert survey.questions.get(code="age_group").options.count() == 5
    assert copy.questions.get(code="age_group").options.count() == 4
    assert [q.code for q in copy.questions.all()] == [q.code for q in survey.questions.all()]
    assert Question.objects.filter(survey=survey).count() == copy.questions.count()


def test_a_template_is_not_answerable_and_is_copied_as_a_survey(survey):
    survey.is_template = True
    survey.save()
    copy = survey.copy(slug="copied")

    assert not survey.is_open_on(OPENS)
    assert copy.is_open_on(OPENS) and not copy.is_template
    assert list(Survey.objects.answerable()) == [copy]


def test_a_device_answers_a_survey_once(survey):
    Response.objects.create(survey=survey, device=device_hash("phone-1"))
    Response.objects.create(survey=survey)  # imported answers have no device
    Response.objects.create(survey=survey)

    with pytest.raises(IntegrityError):
        Response.objects.create(survey=survey, device=device_hash("phone-1"))


def test_the_planner_copies_a_survey_in_the_admin(client, survey):
    planner = get_user_model().objects.create_user("planner", password="pw-for-test-1")
    planner.is_staff = True
    planner.save()
    planner.groups.add(Group.objects.get(name=PLANNERS_GROUP))
    client.force_login(planner)

    page = client.get("/admin/surveys/survey/")
    answer = client.post(
        "/admin/surveys/survey/",
        {"action": "copy", "_selected_action": [survey.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert page.status_code == 200
    copy = Survey.objects.get(slug="testila-2026-copy")
    assert "/survey/testila-2026-copy/" in answer.content.decode()
    assert (copy.opens_on, copy.closes_on) == (
        datetime.date(2027, 1, 1),
        datetime.date(2027, 12, 31),
    )
    assert copy.questions.count() == survey.questions.count()
