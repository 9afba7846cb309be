# SPDX-License-Identifier: EUPL-1.2
"""Plan content in fi, sv and en: the page, its PDF and the API in the reader's language,
a note where a text exists only in another language, and one language at least."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from plans.models import Action, CitizenPromise, Priority, SafetyPlan
from tests.plans.test_pages import pdf_text

pytestmark = pytest.mark.django_db

# Every text of the plan, by model and column stem.
TEXTS = {
    SafetyPlan: ["title", "summary"],
    Priority: ["reason"],
    Action: ["title", "description", "indicator"],
    CitizenPromise: ["title", "text"],
}


def in_every_language(plan) -> list[str]:
    """Gives every text of the plan a Swedish and an English version; the Finnish ones."""
    finnish = []
    rows = [plan, *plan.priorities.all(), *plan.actions.all(), *plan.promises.all()]
    for row in rows:
        for name in TEXTS[type(row)]:
            fi = getattr(row, f"{name}_fi") or f"Suomeksi {name} {row.pk}"
            setattr(row, f"{name}_fi", fi)
            setattr(row, f"{name}_sv", f"På svenska {name} {row.pk}")
            setattr(row, f"{name}_en", f"In English {name} {row.pk}")
            finnish.append(fi)
        row.save()
    plan.publish()
    return finnish


def test_the_swedish_plan_page_has_no_finnish_plan_text(plan):
    finnish = in_every_language(plan)
    page = Client(HTTP_ACCEPT_LANGUAGE="sv").get("/plan/285/").content.decode()
    for text in finnish:
        assert text not in page, text
    assert f"På svenska title {plan.pk}" in page
    assert "På svenska indicator" in page and "På svenska reason" in page
    assert 'class="fallback-note"' not in page and '<span lang="fi">' not in page


def test_the_swedish_pdf_has_no_finnish_plan_text(plan):
    finnish = in_every_language(plan)
    text = pdf_text(Client(HTTP_ACCEPT_LANGUAGE="sv").get("/plan/285/plan.pdf").content)
    for fi in finnish:
        assert fi not in text, fi
    assert f"På svenska title {plan.pk}" in text


def test_a_missing_swedish_text_is_shown_in_finnish_with_a_note(plan):
    in_every_language(plan)
    action = plan.actions.order_by("pk").first()
    action.title_sv = ""
    action.save()
    plan.publish()
    page = Client(HTTP_ACCEPT_LANGUAGE="sv").get("/plan/285/").content.decode()
    assert (
        f'<span lang="fi">{action.title_fi}</span> <span class="fallback-note">(på finska)' in page
    )
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/plan/285/").content.decode()
    assert f"In English title {action.pk}" in english


def test_the_api_gives_every_language_and_the_readers(plan, public):
    in_every_language(plan)
    detail = public.get(f"/api/v1/plans/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="sv").json()
    assert detail["title"] == detail["title_sv"] == f"På svenska title {plan.pk}"
    assert detail["title_fi"] == plan.title_fi
    assert detail["title_en"] == f"In English title {plan.pk}"
    action = detail["actions"][0]
    assert {"title_fi", "title_sv", "title_en", "indicator_sv", "description_en"} <= set(action)
    assert action["title"] == action["title_sv"]
    assert detail["priorities"][0]["reason"].startswith("På svenska")
    assert detail["promises"][0]["text"].startswith("På svenska")


def test_an_action_posted_in_swedish_gets_its_swedish_title(plan, planner, municipality):
    body = {"plan": plan.pk, "title": "Mer ljus", "district": municipality.districts.first().pk}
    response = planner.post(
        "/api/v1/actions/", json.dumps(body), content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="sv",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    action = Action.objects.get(pk=response.json()["id"])
    assert (action.title_fi, action.title_sv) == ("", "Mer ljus")

    before = Action.objects.count()
    del body["title"]
    refused = planner.post("/api/v1/actions/", json.dumps(body), content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["title"] == ["Give the action a title."]
    assert Action.objects.count() == before


def test_a_text_is_wanted_in_one_language_at_least(plan):
    empty = SafetyPlan(
        municipality=plan.municipality,
        period_start=plan.period_start,
        period_end=plan.period_end,
    )
    with pytest.raises(ValidationError) as error:
        empty.full_clean()
    assert error.value.message_dict["title_fi"] == ["Give the title in at least one language."]
    with pytest.raises(IntegrityError), transaction.atomic():
        empty.save()
    swedish_only = Action(plan=plan, year=plan.period_start.year, title_sv="Bara svenska")
    swedish_only.full_clean(exclude=["observations", "walks"])
    swedish_only.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=swedish_only.pk).update(title_sv="")
