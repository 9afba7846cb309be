# SPDX-License-Identifier: EUPL-1.2
"""The map workspace's server side without a browser: its configuration and walk lines."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from geo.models import Municipality
from plans.maps import PALETTES
from tests.api.conftest import GROUP_ROLES, make_walk, member
from tests.conftest import make_town
from walks.filters import FILTERS
from walks.roles import PLANNERS_GROUP, STAFF_GROUP, Role

pytestmark = pytest.mark.django_db


def signed_in(name, group, town="285"):
    """A member of the town with this code (made here if there is none) in the group's role."""
    user = get_user_model().objects.create_user(name)
    user.groups.add(Group.objects.get(name=group))
    municipality = Municipality.objects.filter(code=town).first() or make_town()
    member(user, municipality, GROUP_ROLES[group])
    client = Client()
    client.force_login(user)
    return client


def config(client) -> dict:
    page = client.get("/map/").content.decode()
    return json.loads(re.search(r'<script id="workspace-config"[^>]*>(.*?)</script>', page)[1])


def test_it_gives_the_page_its_filters_statuses_and_palettes():
    answer = config(signed_in("valo", STAFF_GROUP))

    assert answer["filters"] == list(FILTERS)
    assert answer["statusGroups"] == {
        "open": ["new", "confirmed", "assigned", "in_progress"],
        "fixed": ["resolved"],
        "closed": ["resolved", "duplicate", "rejected"],
        # Closed without a fix: drawn dashed.
        "dashed": ["duplicate", "rejected"],
    }
    # plans.maps's colours, with the workspace's names for two of them.
    assert answer["palettes"] == {
        **PALETTES,
        "other": PALETTES["themes"]["other"],
        "districts": PALETTES["sequential"],
    }


def test_it_draws_walk_lines_with_join_codes_for_planners_only(municipality):
    walk = make_walk(municipality)
    without_route = make_walk(municipality, title="Ilman reittiä")
    without_route.route = None
    without_route.save()

    lines = signed_in("suunnittelija", PLANNERS_GROUP).get("/map/walks/", {"municipality": "285"})
    assert lines["Content-Type"] == "application/geo+json"
    (feature,) = json.loads(lines.content)["features"]
    assert feature["id"] == walk.pk
    assert feature["geometry"] is None
    assert feature["properties"]["join_code"] == walk.join_code
    assert feature["properties"]["track"] is None
    route = feature["properties"]["route"]
    assert route["type"] == "LineString"
    # Which way round is api.geojson's business (GeoJSONGeometry), tested there.
    assert sorted(route["coordinates"]) == [[26.91, 60.45], [26.95, 60.47]]
    staff = signed_in("valo", STAFF_GROUP).get("/map/walks/", {"municipality": "285"})
    assert json.loads(staff.content)["features"][0]["properties"]["join_code"] is None
    nowhere = signed_in("katu", STAFF_GROUP).get("/map/walks/", {"municipality": "000"})
    assert json.loads(nowhere.content)["features"] == []


def test_it_lists_the_moves_of_each_status_in_the_workflow_order():
    transitions = config(signed_in("valo", STAFF_GROUP))["transitions"]
    assert transitions["new"] == ["confirmed", "assigned", "duplicate", "rejected"]
    assert transitions["assigned"] == [
        "confirmed",
        "in_progress",
        "resolved",
        "duplicate",
        "rejected",
    ]


def test_it_tells_the_detail_who_may_triage_where_and_by_whom(municipality, make_observation):
    from walks.models import ResponsibleUnit, WalkParticipant

    staff = signed_in("valo", STAFF_GROUP)
    ResponsibleUnit.objects.get(code="street_lighting").members.add(
        get_user_model().objects.get(username="valo")
    )
    walk = make_walk(municipality)
    joined = WalkParticipant.objects.create(walk=walk, group="youth")
    lamp = make_observation("lamp_out", walk=walk, participant=joined, perceived_safety=2)
    pothole = make_observation("pothole")  # streets and parks': another unit's

    mine = staff.get(f"/map/observations/{lamp.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert mine == {
        "id": lamp.pk,
        # No address file loaded: the coordinates.
        "place": "60.46000° N, 26.92000° E",
        "walk": "Iltakävely",
        "group": "youth",
        "may_triage": True,
    }
    assert staff.get(f"/map/observations/{pothole.pk}/").json()["may_triage"] is False
    planner = signed_in("suunnittelija", PLANNERS_GROUP)
    assert planner.get(f"/map/observations/{pothole.pk}/").json()["may_triage"] is True
    assert staff.get("/map/observations/999999/").status_code == 404


def test_it_defaults_the_figures_period_to_the_plan_page_period(municipality):
    import datetime

    from django.utils import timezone

    from plans.models import SafetyPlan
    from plans.page import plan_period

    today = timezone.localdate()
    draft = SafetyPlan.objects.create(
        municipality=municipality,
        title_fi="Luonnos",
        period_start=today - datetime.timedelta(days=30),
        period_end=today + datetime.timedelta(days=900),
    )
    published = SafetyPlan.objects.create(
        municipality=municipality,
        title_fi="Turvallisuussuunnitelma",
        period_start=today - datetime.timedelta(days=200),
        period_end=today + datetime.timedelta(days=1000),
    )
    published.publish()
    period = plan_period(published)
    expected = {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "plan": "Turvallisuussuunnitelma",
    }
    # The plan page shows the published plan to everyone: so do the figures.
    assert config(signed_in("valo", STAFF_GROUP))["periods"] == {"285": expected}
    assert config(signed_in("suunnittelija", PLANNERS_GROUP))["periods"] == {"285": expected}
    assert draft.pk  # a newer draft does not move the planner's default


def test_it_names_the_place_by_its_nearest_address_in_the_readers_language(
    municipality, make_observation
):
    from django.contrib.gis.geos import Point

    from geo.models import Address

    Address.objects.create(
        municipality=municipality,
        street="Kirkkokatu",
        street_sv="Kyrkogatan",
        number="3",
        postcode="48100",
        geom=Point(26.9201, 60.4601, srid=4326),
    )
    lamp = make_observation()  # about 13 m away
    planner = signed_in("suunnittelija", PLANNERS_GROUP)
    url = f"/map/observations/{lamp.pk}/"
    assert planner.get(url, HTTP_ACCEPT_LANGUAGE="fi").json()["place"] == "Kirkkokatu 3, 48100"
    assert planner.get(url, HTTP_ACCEPT_LANGUAGE="sv").json()["place"] == "Kyrkogatan 3, 48100"


def test_it_offers_only_the_users_municipalities(municipality, other_town, alajarvi):
    answer = config(signed_in("valo", STAFF_GROUP))
    assert [town["code"] for town in answer["municipalities"]] == ["285"]
    admin = get_user_model().objects.create_superuser("yllapito", "y@example.fi", None)
    client = Client()
    client.force_login(admin)
    assert [town["code"] for town in config(client)["municipalities"]] == ["005", "285", "286"]


def test_it_says_per_municipality_whether_the_user_organises_there(municipality, other_town):
    user = get_user_model().objects.create_user("kahdessa")
    member(user, municipality, Role.STAFF)
    member(user, other_town, Role.PLANNER)
    client = Client()
    client.force_login(user)

    towns = {town["code"]: town["organises"] for town in config(client)["municipalities"]}
    assert towns == {"285": False, "286": True}


def test_another_municipalitys_walk_lines_are_nobody_elses(municipality, other_town):
    make_walk(other_town, title="Muualan kävely")
    planner = signed_in("suunnittelija", PLANNERS_GROUP)

    lines = planner.get("/map/walks/", {"municipality": "286"})
    assert json.loads(lines.content)["features"] == []


def test_a_group_without_a_membership_has_no_workspace(municipality):
    user = get_user_model().objects.create_user("ryhmassa")
    user.groups.add(Group.objects.get(name=PLANNERS_GROUP))
    client = Client()
    client.force_login(user)

    assert client.get("/map/").status_code == 403
