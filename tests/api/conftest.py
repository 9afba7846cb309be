# SPDX-License-Identifier: EUPL-1.2
"""Named personas for the API tests, each an APIClient that already says who it is.

public · participant · other_participant (another walk) · police (a partner) ·
lighting_staff · streets_staff · planner · admin; the members among them are members of
the `municipality` fixture's town (walks.roles). Geometry is made inside its box
(lon 26.90–26.98, lat 60.44–60.48; West district west of 26.94).
"""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.gis.geos import LineString
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import EAST, WEST  # noqa: E402,F401  re-exported for the API tests
from walks.models import (
    Membership,
    PartnerKind,
    ResponsibleUnit,
    SafetyWalk,
    WalkParticipant,
    WalkState,
)
from walks.roles import PLANNERS_GROUP, STAFF_GROUP, Role

# The role a membership gives the users of each group, in the tests' personas.
GROUP_ROLES = {PLANNERS_GROUP: Role.PLANNER, STAFF_GROUP: Role.STAFF}
POLICE = (PartnerKind.POLICE, "Kaakkois-Suomen poliisilaitos")


def member(user, municipality, role, organisation=("", "")):
    """Make the user a member of the municipality with this role (a partner: of this
    organisation, kind and name)."""
    kind, name = organisation
    Membership.objects.create(
        user=user, municipality=municipality, role=role, organisation_kind=kind, organisation=name
    )
    user.__dict__.pop("_lyhty_memberships", None)  # read again on the next question
    return user


def client_with(authorization=None):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if authorization:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    return client


def user_client(username, *, group=None, units=(), superuser=False, municipality=None):
    """A client with a token for a new user; with a `municipality`, the user is its member
    with their group's role."""
    User = get_user_model()
    if superuser:
        user = User.objects.create_superuser(username, f"{username}@example.fi", None)
    else:
        # No password: hashing one costs a third of a second, and tokens are used anyway.
        user = User.objects.create_user(username, f"{username}@example.fi", None)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for code in units:
        ResponsibleUnit.objects.get(code=code).members.add(user)
    if municipality is not None:
        member(user, municipality, GROUP_ROLES[group])
    client = client_with(f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client


def make_walk(municipality, title="Iltakävely", state=WalkState.WALKING, route=None):
    start = timezone.now() - timedelta(hours=1)
    return SafetyWalk.objects.create(
        municipality=municipality,
        title=title,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        group="residents",
        state=state,
        route=route or LineString((26.91, 60.45), (26.95, 60.47), srid=4326),
    )


@pytest.fixture
def walk(municipality):
    return make_walk(municipality)


@pytest.fixture
def other_walk(municipality):
    return make_walk(municipality, title="Nuorten kävely")


def participant_client(walk):
    participant = WalkParticipant.objects.create(walk=walk, group="residents")
    client = client_with(f"Participant {participant.key}")
    client.participant = participant
    return client


@pytest.fixture
def public(db):
    return client_with()


@pytest.fixture
def participant(walk):
    return participant_client(walk)


@pytest.fixture
def other_participant(other_walk):
    return participant_client(other_walk)


@pytest.fixture
def lighting_staff(municipality):
    return user_client(
        "valo", group=STAFF_GROUP, units=["street_lighting"], municipality=municipality
    )


@pytest.fixture
def streets_staff(municipality):
    return user_client(
        "katu", group=STAFF_GROUP, units=["streets_parks"], municipality=municipality
    )


@pytest.fixture
def planner(municipality):
    return user_client("suunnittelija", group=PLANNERS_GROUP, municipality=municipality)


@pytest.fixture
def police(municipality):
    """A partner: the police department of the town."""
    client = user_client("poliisi")
    member(client.user, municipality, Role.PARTNER, POLICE)
    return client


@pytest.fixture
def admin(db):
    return user_client("yllapito", superuser=True)


@pytest.fixture
def personas(
    public, participant, other_participant, police, lighting_staff, streets_staff, planner, admin
):
    return {
        "public": public,
        "participant": participant,
        "other_participant": other_participant,
        "police": police,
        "lighting_staff": lighting_staff,
        "streets_staff": streets_staff,
        "planner": planner,
        "admin": admin,
    }


def feature(lon=WEST[0], lat=WEST[1], *, geometry=None, **properties):
    """An incoming observation as a phone sends it, with its own new UUID."""
    properties = {"uuid": str(uuid.uuid4()), "category": "lamp_out", **properties}
    return {
        "type": "Feature",
        "geometry": geometry or {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }


def collection(features):
    return {"type": "FeatureCollection", "features": features}
