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
from walks.roles import PLANNERS_GROUP, STAFF_GROUP

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


def test_it_offers_only_the_users_municipalities(municipality, other_town, alajarvi):
    answer = config(signed_in("valo", STAFF_GROUP))
    assert [town["code"] for town in answer["municipalities"]] == ["285"]
    admin = get_user_model().objects.create_superuser("yllapito", "y@example.fi", None)
    client = Client()
    client.force_login(admin)
    assert [town["code"] for town in config(client)["municipalities"]] == ["005", "285", "286"]


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
