# SPDX-License-Identifier: EUPL-1.2
"""The annual follow-up report: its figures against counts made here, the page in Chromium
in fi/sv/en with its charts, and the PDF with every section (text extraction).

The town: tests.plans.test_pages' walk this year with 12 public lamp reports (4 of them
fixed) and an internal one; make_plan's actions of this year in every status, the delayed
one marked so and none of the others past its deadline; lighting reports of West in the two
years before, so the lighting priority's indicator has three years to draw.
"""

import datetime

import pytest
from django.contrib.gis.geos import Point
from django.test import Client
from django.utils import timezone, translation

from knowledge.models import AreaStatistic, Incident, Indicator
from plans.follow_up import chart, follow_up_context, knowledge_stamp
from plans.models import ActionStatus
from tests.conftest import WEST
from tests.frontend.conftest import screenshot
from tests.plans.test_pages import pdf_text, town_with_findings
from walks.models import Category, Observation, Visibility

# Public lighting reports of West in the years before this one: (years back, how many).
EARLIER = [(2, 5), (1, 3)]


def report_town(municipality):
    plan, walk = town_with_findings(municipality)
    this_year = timezone.localdate().year
    lamp = Category.objects.get(code="lamp_out")

    for back, count in EARLIER:
        for n in range(count):
            Observation.objects.create(
                municipality=municipality,
                category=lamp,
                geom=Point(WEST[0], WEST[1] + n * 0.0001, srid=4326),
                observed_at=timezone.make_aware(datetime.datetime(this_year - back, 3, 1, 12)),
            )
    Observation.objects.create(  # not for the public: never counted in the report
        municipality=municipality,
        category=lamp,
        geom=Point(*WEST, srid=4326),
        visibility=Visibility.INTERNAL,
        observed_at=timezone.make_aware(datetime.datetime(this_year - 1, 3, 1, 12)),
    )
    lights = Indicator.objects.create(
        municipality=municipality,
        name="Lighting reports in West",
        kind="observations",
        district=municipality.districts.get(code="1"),
        filters={"theme": "lighting"},
    )
    priority = plan.priorities.get(theme__code="lighting")
    priority.linked_indicator = lights
    priority.save()
    plan.publish()
    return plan, walk, this_year


@pytest.mark.django_db
def test_the_report_counts_what_the_public_may_read(municipality):
    plan, walk, year = report_town(municipality)
    with translation.override("en"):
        context = follow_up_context(plan, year)

    (lighting, traffic) = context["priorities"]
    (figures,) = lighting["indicators"]
    # 12 this year (the walk's lamps, the internal one left out), 3 and 5 before.
    expected = {year - 2: 5, year - 1: 3, year: 12}
    assert figures["values"] == expected
    assert (figures["baseline_year"], figures["baseline"], figures["current"]) == (year - 2, 5, 12)
    assert [p["value"] for p in figures["chart"]["points"]] == [5, 3, 12]
    assert traffic["indicators"] == []
    statuses = sorted(a.status for a in context["actions"]["all"])
    assert statuses == sorted(ActionStatus.values)
    assert [a.status for a in context["actions"]["done"]] == [ActionStatus.DONE]
    assert [a.status for a in context["actions"]["delayed"]] == [ActionStatus.DELAYED]
    (promise,) = context["promises"]
    assert (len(promise["actions"]), promise["done"]) == (5, 1)
    (held,) = context["walks"]
    assert held["walk"] == walk
    assert (held["problems"], held["positive"], held["fixed"]) == (12, 0, 4)
    assert context["fixed"]["total"] == 4
    assert context["fixed"]["by_theme"] == [("Lighting", 4)]


@pytest.mark.django_db
def test_an_overdue_action_counts_as_delayed(municipality):
    plan, _walk, year = report_town(municipality)
    late = plan.actions.get(status=ActionStatus.IN_PROGRESS)
    late.deadline = timezone.localdate() - datetime.timedelta(days=1)
    late.save()
    plan.publish()

    context = follow_up_context(plan, year)

    assert {a.pk for a in context["actions"]["delayed"]} == {
        late.pk,
        plan.actions.get(status=ActionStatus.DELAYED).pk,
    }


# Each write its own transaction, as each request is: the stamp sees which wrote a row.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_print_is_made_again_when_the_knowledge_base_changes(municipality):
    before = knowledge_stamp(municipality)
    Incident.objects.create(
        municipality=municipality, kind="crime", source="poliisi", year=2024,
        geom=Point(*WEST, srid=4326),
    )  # fmt: skip
    after = knowledge_stamp(municipality)
    AreaStatistic.objects.create(
        district=municipality.districts.first(), name="population", year=2024, value=1
    )

    added = knowledge_stamp(municipality)
    # An edit keeps the rows and their ids.
    Incident.objects.filter(municipality=municipality).update(year=2023)
    edited = knowledge_stamp(municipality)
    AreaStatistic.objects.update(value=2)

    assert len({before, after, added, edited, knowledge_stamp(municipality)}) == 5


def test_the_chart_puts_the_highest_value_at_the_top():
    drawn = chart({2020: 0, 2021: 10, 2022: 5})
    top, bottom = drawn["points"][1]["y"], drawn["points"][0]["y"]
    assert top < drawn["points"][2]["y"] < bottom == drawn["baseline_y"]
    assert [p["x"] for p in drawn["points"]] == sorted(p["x"] for p in drawn["points"])
    assert chart({}) is None


@pytest.mark.django_db
def test_a_year_outside_the_council_term_is_not_found(municipality):
    plan, _walk, year = report_town(municipality)
    client = Client()
    assert client.get(f"/plan/285/follow-up/{year}/").status_code == 200
    assert client.get(f"/plan/285/follow-up/{plan.period_start.year - 1}/").status_code == 404
    assert client.get("/plan/285/follow-up/99999999999999999999/").status_code == 404


@pytest.mark.django_db
def test_the_plan_page_links_the_report_of_every_year_begun(municipality):
    plan, _walk, year = report_town(municipality)
    plan.period_end = plan.period_end.replace(year=year + 2)
    plan.save()
    page = Client().get("/plan/285/").content.decode()

    for begun in range(plan.period_start.year, year + 1):
        assert f'href="/plan/285/follow-up/{begun}/?plan={plan.pk}"' in page
    assert f"/follow-up/{year + 1}/" not in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("language", "headings"),
    [
        ("fi", ["Painopisteet ja niiden mittarit", "Kansalaislupaukset ja mitä niistä tuli"]),
        ("sv", ["Prioriteringar och deras indikatorer", "Medborgarlöften och vad de ledde till"]),
        ("en", ["Priorities and their indicators", "Citizen promises and what came of them"]),
    ],
)
def test_it_renders_the_report_with_charts_in_chromium(
    page_in, live_server, municipality, language, headings
):
    _plan, _walk, year = report_town(municipality)
    page = page_in(language)
    page.goto(f"{live_server.url}/plan/285/")  # the report is one click from the plan
    page.locator(".follow-ups").get_by_role("link", name=str(year), exact=True).click()
    page.wait_for_url(f"**/plan/285/follow-up/{year}/**")

    assert page.locator("html").get_attribute("lang") == language
    text = page.locator("main").inner_text()
    for heading in headings:
        assert heading in text
    chart_svg = page.locator("svg.indicator-chart")
    assert chart_svg.count() == 1
    assert chart_svg.locator("circle").count() == 3
    assert chart_svg.locator("polyline").count() == 1
    box = chart_svg.bounding_box()
    assert box["width"] > 100 and box["height"] > 40  # drawn, not collapsed
    assert "Iltakävely Länteen" in page.locator(".walks-table").inner_text()
    assert page.locator(".actions-table tbody tr").count() == 5
    screenshot(page, f"follow-up-{language}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "sections"),
    [
        (
            "en",
            ["Follow-up report", "Priorities and their indicators", "Lighting reports in West",
             "Actions of", "Citizen promises and what came of them", "Safety walks of",
             "Iltakävely Länteen", "Fixed in", "4 reported problems were fixed."],
        ),
        (
            "sv",
            ["Uppföljningsrapport", "Prioriteringar och deras indikatorer", "Åtgärder",
             "Medborgarlöften och vad de ledde till", "Trygghetsvandringar", "Åtgärdat"],
        ),
    ],
)  # fmt: skip
def test_it_prints_the_report_with_every_section(municipality, language, sections):
    _plan, _walk, year = report_town(municipality)
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(
        f"/plan/285/follow-up/{year}/follow-up.pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for section in sections:
        assert section in text, section
    # The chart's years and values are text in the PDF too.
    assert all(str(y) in text for y in (year - 2, year - 1, year))
    assert "pimeänä" not in text  # no observation's own words in the report
