# SPDX-License-Identifier: EUPL-1.2
"""A join code as people type it, read aloud or scanned: every way in reads it alike."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from tests.api.conftest import make_walk, member
from walks.models import normalise_join_code
from walks.roles import PLANNERS_GROUP, Role

pytestmark = pytest.mark.django_db


def test_it_drops_spaces_and_makes_capitals():
    assert normalise_join_code(" k7m2 qx9p\t") == "K7M2QX9P"


def test_the_api_the_logger_and_the_poster_take_the_same_spelling(municipality):
    walk = make_walk(municipality)
    spoken = " ".join([walk.join_code[:4].lower(), walk.join_code[4:].lower()])
    client = Client()

    joined = client.post(
        "/api/v1/walks/join/",
        json.dumps({"code": spoken, "group": "youth", "privacy_accepted": True}),
        content_type="application/json",
    )
    typed = client.get("/walk/", {"code": spoken})
    logger = client.get(f"/walk/join/{spoken}/")
    planner = get_user_model().objects.create_user("suunnittelija")
    planner.groups.add(Group.objects.get(name=PLANNERS_GROUP))
    member(planner, municipality, Role.PLANNER)
    client.force_login(planner)
    poster = client.get(f"/walk/join/{spoken}/poster/")

    assert joined.status_code == 201, joined.content
    assert typed.status_code == 302 and typed["Location"].endswith(f"/{walk.join_code}/")
    assert logger.status_code == 200
    assert poster.status_code == 200
