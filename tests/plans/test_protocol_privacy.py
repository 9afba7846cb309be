# SPDX-License-Identifier: EUPL-1.2
"""What a walk protocol, the plan page and the plans API give away to whom.

Anyone who is not staff, planner or administrator (the public, a walk participant) sees
the actions of published plans only, with their owner organisation but no responsible
person's name, no follow-up notes and no recorded track (a track starts at someone's
home). Staff, planners and administrators see it all. Each reader is checked on the page
and in its PDF, and against what staff see, so that the test fails if either side breaks.
"""

import pytest
from django.contrib.gis.geos import LineString, MultiLineString
from django.test import Client

from plans.models import Action, PlanState
from tests.api.conftest import client_with, make_walk, participant_client, user_client
from tests.plans.conftest import make_plan
from tests.plans.test_pages import pdf_text
from walks.models import WalkState
from walks.roles import PLANNERS_GROUP, STAFF_GROUP

DRAFT_ACTION = "Luonnostoimenpide alikulkuun"
PUBLISHED_ACTION = "Julkaistu toimenpide: lamput"
PERSON = "Virkamies Ville Vastuullinen"
OWNER = "Katuvalaistusyksikkö"
NOTES = "Sisäinen jälkitapaamisen muistio"
# A vertex of the recorded track found nowhere else on the page (not the route's).
TRACK_LON = "26.9123"


@pytest.fixture
def walk(municipality):
    """A walk with a recorded track and follow-up notes; a published plan's action and a
    draft plan's action, both naming a responsible person, linked to it."""
    walk = make_walk(municipality, title="Kävely alikululle", state=WalkState.FOLLOW_UP)
    walk.follow_up_notes = NOTES
    walk.track = MultiLineString(
        LineString((float(TRACK_LON), 60.4511), (26.93, 60.46), srid=4326), srid=4326
    )
    walk.save()
    published = make_plan(municipality)
    draft = make_plan(municipality, state=PlanState.DRAFT, title="Luonnos")
    for plan, title in [(published, PUBLISHED_ACTION), (draft, DRAFT_ACTION)]:
        action = Action.objects.create(
            plan=plan,
            year=plan.period_start.year,
            title_fi=title,
            owner_name=OWNER,
            responsible_person=PERSON,
        )
        action.walks.add(walk)
    published.publish()  # the new action is a draft until then
    return walk


def readers(walk, elsewhere):
    """Page clients by persona; a participant's key means nothing to the pages. The
    "other_" personas are staff and planner of another municipality: to them the walk's
    town is anybody's."""
    participant = participant_client(walk)
    participant_browser = Client(
        HTTP_AUTHORIZATION=f"Participant {participant.participant.key}", HTTP_ACCEPT_LANGUAGE="en"
    )
    browsers = {}
    for persona, group, town in [
        ("staff", STAFF_GROUP, walk.municipality),
        ("planner", PLANNERS_GROUP, walk.municipality),
        ("other_staff", STAFF_GROUP, elsewhere),
        ("other_planner", PLANNERS_GROUP, elsewhere),
    ]:
        browsers[persona] = Client(HTTP_ACCEPT_LANGUAGE="en")
        browsers[persona].force_login(user_client(persona, group=group, municipality=town).user)
    return {
        "public": Client(HTTP_ACCEPT_LANGUAGE="en"),
        "participant": participant_browser,
        **browsers,
    }


# Who reads the walk's protocol as the public does.
AS_PUBLIC = ("public", "participant", "other_staff", "other_planner")


def assert_public(text):
    assert PUBLISHED_ACTION in text and OWNER in text
    for secret in (DRAFT_ACTION, PERSON, NOTES):
        assert secret not in text, secret


def assert_internal(text):
    for shown in (PUBLISHED_ACTION, OWNER, DRAFT_ACTION, PERSON, NOTES):
        assert shown in text, shown


@pytest.mark.django_db
def test_it_keeps_drafts_names_notes_and_tracks_from_the_public_protocol(walk, other_town):
    for persona, client in readers(walk, other_town).items():
        page = client.get(f"/walks/{walk.pk}/protocol/").content.decode()
        if persona in AS_PUBLIC:
            assert_public(page)
            assert TRACK_LON not in page
            assert "Responsible person" not in page
        else:
            assert_internal(page)
            assert TRACK_LON in page  # the route map draws the track for staff


@pytest.mark.django_db
def test_it_keeps_them_from_the_public_protocol_pdf(walk, other_town):
    clients = readers(walk, other_town)
    public = clients["public"].get(f"/walks/{walk.pk}/protocol.pdf")
    assert public.status_code == 200 and public["Content-Type"] == "application/pdf"
    assert_public(pdf_text(public.content))
    assert_internal(pdf_text(clients["staff"].get(f"/walks/{walk.pk}/protocol.pdf").content))


@pytest.mark.django_db
def test_the_plan_page_names_no_responsible_person(walk, other_town):
    for client in readers(walk, other_town).values():
        page = client.get("/plan/285/").content.decode()
        assert PUBLISHED_ACTION in page and OWNER in page
        assert DRAFT_ACTION not in page and PERSON not in page
    assert PERSON not in pdf_text(Client().get("/plan/285/plan.pdf").content)


@pytest.mark.django_db
def test_the_plans_api_names_the_responsible_person_to_staff_only(walk, other_town):
    participant = participant_client(walk)
    staff = user_client("valo", group=STAFF_GROUP, municipality=walk.municipality)
    planner = user_client("suunnittelija", group=PLANNERS_GROUP, municipality=walk.municipality)
    other_planner = user_client("muu", group=PLANNERS_GROUP, municipality=other_town)
    public = client_with()
    published = walk.actions.get(title_fi=PUBLISHED_ACTION).plan
    draft = walk.actions.get(title_fi=DRAFT_ACTION).plan
    for persona, client in [
        ("public", public),
        ("participant", participant),
        ("staff", staff),
        ("planner", planner),
        ("other_planner", other_planner),
    ]:
        draft_status = client.get(f"/api/v1/plans/{draft.pk}/").status_code
        assert draft_status == (200 if persona == "planner" else 404)
        detail = client.get(f"/api/v1/plans/{published.pk}/").json()
        action = next(a for a in detail["actions"] if a["title"] == PUBLISHED_ACTION)
        if persona in AS_PUBLIC:
            assert "responsible_person" not in action
            assert PERSON not in str(detail)
        else:
            assert action["responsible_person"] == PERSON


@pytest.mark.django_db
def test_folium_maps_carry_names_as_text(municipality):
    """A name ends up in folium's script as escaped text: no tag, no way out of the
    template literal folium wraps a tooltip in."""
    from plans import maps

    name = "<img src=x onerror=alert(1)>`${alert(2)}`\\"
    walk = make_walk(municipality)
    route = maps.route_map(walk, "route", "Route", None, None, [(26.92, 60.46, name)])
    districts = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [26.92, 60.46]},
                "properties": {"name": name, "rate": None},
            }
        ],
    }
    labels = {"district": name, "rate": "rate", "hidden": "hidden"}
    boundary = maps.as_json(municipality.geom)
    choropleth = maps.choropleth(municipality, "districts", "t", districts, boundary, labels=labels)
    escaped = "&lt;img src=x onerror=alert(1)&gt;&#96;&#36;{alert(2)}&#96;&#92;"
    assert escaped in route.script
    # The choropleth's names are data in folium's JSON, which escapes "&" once more.
    assert escaped.replace("&", "\\u0026") in choropleth.script
    for script in (route.script, choropleth.script):
        assert "<img" not in script and "${alert" not in script
