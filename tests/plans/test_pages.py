# SPDX-License-Identifier: EUPL-1.2
"""The plan page and the walk protocol in Chromium (fi, sv, en, no console errors, nothing
from other hosts), their PDFs by text extraction and the maps' PNGs by their pixels."""

import io
import unicodedata
from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.test import Client
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from tests.api.conftest import make_walk
from tests.conftest import WEST
from tests.frontend.conftest import screenshot
from tests.plans.conftest import make_plan
from walks.models import (
    Category,
    Observation,
    Status,
    Theme,
    Visibility,
    WalkParticipant,
    WalkState,
)

SECRET_NAME = "Salainen Sanna"
INTERNAL_TEXT = "Sisäinen havainto, ei yleisölle"


def pdf_text(content: bytes) -> str:
    """The PDF's text, ligatures (ﬁ) undone and whitespace folded."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())


def town_with_findings(municipality):
    """A closed walk with a named participant, 12 lamp reports around one spot (a heat
    cell), 4 of them fixed after the walk, and one internal observation."""
    walk = make_walk(municipality, title="Iltakävely Länteen", state=WalkState.FOLLOW_UP)
    participant = WalkParticipant.objects.create(walk=walk, group="youth", display_name=SECRET_NAME)
    WalkParticipant.objects.create(walk=walk, group="seniors")
    lamp = Category.objects.get(code="lamp_out")
    for n in range(12):
        observation = Observation.objects.create(
            municipality=municipality,
            walk=walk,
            participant=participant,
            category=lamp,
            geom=Point(WEST[0] + n * 0.0001, WEST[1], srid=4326),
            severity=3,
            description=f"Lamppu {n} pimeänä",
            proposed_fix="Vaihda lamppu",
            observed_at=timezone.now() - timedelta(minutes=30),
        )
        if n < 4:
            observation.change_status(Status.CONFIRMED)
            observation.change_status(Status.RESOLVED)
    Observation.objects.create(
        municipality=municipality,
        walk=walk,
        category=lamp,
        geom=Point(*WEST, srid=4326),
        description=INTERNAL_TEXT,
        visibility=Visibility.INTERNAL,
    )
    plan = make_plan(municipality)
    plan.actions.first().walks.add(walk)
    plan.publish()  # the link is part of the published plan from now on
    return plan, walk


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_it_shows_the_plan_and_the_protocol_in_chromium(
    page_in, live_server, municipality, language
):
    plan, walk = town_with_findings(municipality)
    page = page_in(language)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server.url}/plan/285/")

    assert page.locator("html").get_attribute("lang") == language
    # The plan is written in Finnish only: other readers get it with a note saying so.
    heading = page.locator("h1")
    assert heading.locator("[lang=fi]" if language != "fi" else "xpath=.").inner_text() == (
        plan.title_fi
    )
    assert heading.locator(".fallback-note").count() == (0 if language == "fi" else 1)
    maps = page.locator(".folium-map.leaflet-container")
    assert maps.count() == 1 + Theme.objects.count()
    # The lighting heat map has its cell (12 observations ≥ 3), drawn by Leaflet.
    assert page.locator("#map_heat_lighting path.leaflet-interactive").count() >= 1
    # The choropleth has the two districts.
    assert page.locator("#map_districts path.leaflet-interactive").count() >= 2
    assert page.locator(".actions-table tbody tr").count() == 5
    assert ("Väster" if language == "sv" else "Länsi") in page.locator(".picture").inner_text()
    text = page.locator("main").inner_text()
    assert INTERNAL_TEXT not in text and SECRET_NAME not in text
    assert "Iltakävely Länteen" in page.locator("#protocols-heading + ul").inner_text()
    offsite = [u for u in requests if not u.startswith(live_server.url)]
    assert all(u.startswith("https://tile.openstreetmap.org/") for u in offsite), offsite
    screenshot(page, f"plan-{language}")

    # Keyboard: the skip link first, then the language form; maps are reachable.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"

    page.get_by_role("link", name="Iltakävely Länteen").click()
    page.wait_for_url(f"{live_server.url}/walks/{walk.pk}/protocol/")
    assert page.locator("h1").inner_text() == walk.title
    assert page.locator(".finding").count() == 12  # the public's: the internal one is not there
    protocol = page.locator("main").inner_text()
    assert INTERNAL_TEXT not in protocol and SECRET_NAME not in protocol
    assert "Vaihda lamppu" in protocol
    assert page.locator("#map_route path.leaflet-interactive").count() >= 1
    screenshot(page, f"protocol-{language}")


@pytest.mark.django_db
def test_it_prints_the_plan_with_every_section(municipality):
    plan, _walk = town_with_findings(municipality)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/plan/285/plan.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for section in [
        plan.title,
        "Summary",
        "Priorities",
        "Actions",
        "Citizen promises",
        "Heat map: Lighting",
        "District picture",
        "Fixed since the last walk",
        "Walk protocols",
        "Toimenpide delayed",
        "Valoisampi Länsi",
    ]:
        assert section in text, section
    assert "Download" not in text  # the page's links are not printed
    assert INTERNAL_TEXT not in text and SECRET_NAME not in text


@pytest.mark.django_db
def test_it_prints_the_walk_protocol(municipality):
    _plan, walk = town_with_findings(municipality)
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/walks/{walk.pk}/protocol.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    for section in [
        walk.title,
        "Route",
        "Participants",
        "Youth: 1",
        "Findings",
        "Vaihda lamppu",
        "Proposed fixes, owners and deadlines",
        "Toimenpide planned",
    ]:
        assert section in text, section
    assert INTERNAL_TEXT not in text and SECRET_NAME not in text


def reddish_pixels(png: bytes) -> int:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.width > 400 and image.height > 300
    return sum(
        1 for r, g, b, *_ in image.convert("RGB").get_flattened_data() if r > g + 90 and r > b + 60
    )


@pytest.mark.django_db
def test_it_gives_each_map_as_a_png(municipality):
    town_with_findings(municipality)
    client = Client()
    heat = client.get("/plan/285/maps/heat-lighting.png")
    assert heat.status_code == 200 and heat["Content-Type"] == "image/png"
    assert heat.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert reddish_pixels(heat.content) > 20  # the hot cell
    # A theme without observations has no cells: nothing reddish on it.
    assert reddish_pixels(client.get("/plan/285/maps/heat-traffic.png").content) == 0
    assert reddish_pixels(client.get("/plan/285/maps/districts.png").content) > 1000
    assert client.get("/plan/285/maps/nowhere.png").status_code == 404


@pytest.mark.django_db
def test_it_shows_drafts_to_planners_only(municipality, planner):
    draft = make_plan(municipality, state="draft", title="Luonnos")
    public = Client()
    assert public.get("/plan/285/").status_code == 404
    assert public.get(f"/plan/285/?plan={draft.pk}").status_code == 404
    assert public.get("/plan/285/plan.pdf").status_code == 404
    planner_browser = Client()
    planner_browser.force_login(planner.user)
    page = planner_browser.get(f"/plan/285/?plan={draft.pk}")
    assert page.status_code == 200 and "Luonnos" in page.content.decode()


@pytest.mark.django_db
def test_another_municipalitys_planner_sees_drafts_and_protocols_as_the_public(
    municipality, other_town, planner
):
    """The planner is a member of the test town only: Muuala's draft plan is a 404, its
    walk's protocol too while Muuala has no published plan, and then the public's one."""
    draft = make_plan(other_town, state="draft", title="Muualan luonnos")
    walk = make_walk(other_town, title="Muualan kävely")
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(planner.user)

    assert browser.get("/plan/286/").status_code == 404
    assert browser.get(f"/plan/286/?plan={draft.pk}").status_code == 404
    assert browser.get("/plan/286/plan.pdf").status_code == 404
    assert browser.get(f"/walks/{walk.pk}/protocol/").status_code == 404
    make_plan(other_town)
    page = browser.get(f"/walks/{walk.pk}/protocol/").content.decode()
    assert "For staff: internal observations" not in page


@pytest.mark.django_db
def test_it_shows_the_protocol_to_the_public_only_with_a_published_plan(municipality, planner):
    walk = make_walk(municipality)
    assert Client().get(f"/walks/{walk.pk}/protocol/").status_code == 404
    staff = Client()
    staff.force_login(planner.user)
    assert staff.get(f"/walks/{walk.pk}/protocol/").status_code == 200
    make_plan(municipality)
    assert Client().get(f"/walks/{walk.pk}/protocol/").status_code == 200


@pytest.mark.django_db
def test_it_shows_a_published_plan_of_a_municipality_without_districts():
    """A municipality imported from the national file, its districts not yet imported."""
    from geo.models import Municipality
    from plans.models import PlanState, SafetyPlan
    from tests.conftest import box

    town = Municipality.objects.create(
        code="286", country="FI", name_fi="Piiritön", national_srid=3067,
        geom=box(26.90, 60.44, 26.98, 60.48),
    )  # fmt: skip
    today = timezone.localdate()
    SafetyPlan.objects.create(
        municipality=town,
        title_fi="Piirittömän suunnitelma",
        period_start=today - timedelta(days=365),
        period_end=today + timedelta(days=365),
        state=PlanState.PUBLISHED,
        published_at=timezone.now(),
    )

    response = Client().get("/plan/286/")

    assert response.status_code == 200
    assert "Piirittömän suunnitelma" in response.content.decode()
