# SPDX-License-Identifier: EUPL-1.2
"""`manage.py print_plans` prints the published plans ahead of their readers: after it
(and again after an observation changes), the public's PDF in each language comes from the
cache, with no print in the request."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from plans import render
from tests.plans.test_pages import pdf_text, town_with_findings
from walks.models import Observation


def print_plans() -> str:
    out = StringIO()
    call_command("print_plans", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_prints_every_language_ahead_and_again_after_a_change(municipality, monkeypatch):
    plan, _walk = town_with_findings(municipality)
    assert print_plans().startswith("3 ")
    assert print_plans().startswith("0 ")  # all made, nothing to do

    lamp = Observation.objects.filter(municipality=municipality).first()
    lamp.severity = 5
    lamp.save()
    assert print_plans().startswith("3 ")

    def refuse(*args, **kwargs):
        raise AssertionError("printed in the request")

    monkeypatch.setattr(render, "render", refuse)
    for language, heading in [("fi", "Kartat"), ("sv", "Kartor"), ("en", "Maps")]:
        response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/plan/285/plan.pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        assert plan.title in text and heading in text, language
