# SPDX-License-Identifier: EUPL-1.2
"""The role rules of walks.roles: who has which role, and what each may read.

The whole matrix, endpoint by endpoint, is tests/api/test_permissions.py; here the rules
themselves, without HTTP.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.api.conftest import make_walk
from walks import roles
from walks.models import Observation, Status, Visibility, WalkParticipant
from walks.roles import PLANNERS_GROUP, STAFF_GROUP, Role, role_of

pytestmark = pytest.mark.django_db


def user(name, group=None, **fields):
    made = get_user_model().objects.create_user(name, **fields)
    if group:
        made.groups.add(Group.objects.get(name=group))
    return made


def ids(rows):
    return set(rows.values_list("pk", flat=True))


def test_it_tells_each_role(municipality):
    participant = WalkParticipant.objects.create(walk=make_walk(municipality), group="youth")

    assert role_of(None) == Role.PUBLIC
    assert role_of(participant) == Role.PARTICIPANT
    assert role_of(user("resident")) == Role.PUBLIC
    assert role_of(user("valo", STAFF_GROUP)) == Role.STAFF
    assert role_of(user("suunnittelija", PLANNERS_GROUP)) == Role.PLANNER
    assert role_of(user("yllapito", is_superuser=True)) == Role.ADMIN
    assert role_of(user("gone", PLANNERS_GROUP, is_active=False)) == Role.PUBLIC


def test_it_lets_each_role_read_what_the_design_says(municipality, make_observation):
    walk = make_walk(municipality)
    participant = WalkParticipant.objects.create(walk=walk, group="youth")
    shown = make_observation()
    internal = make_observation(visibility=Visibility.INTERNAL)
    sensitive = make_observation("drugs", visibility=Visibility.PUBLIC)
    rejected = make_observation(status=Status.REJECTED)
    own = make_observation(visibility=Visibility.INTERNAL, walk=walk, participant=participant)
    everything = {shown.pk, internal.pk, sensitive.pk, rejected.pk, own.pk}

    readable = Observation.objects.readable_by
    assert ids(readable(None)) == {shown.pk}
    assert ids(readable(user("resident"))) == {shown.pk}
    assert ids(readable(participant)) == {shown.pk, own.pk}
    assert ids(readable(user("valo", STAFF_GROUP))) == everything
    assert ids(readable(user("suunnittelija", PLANNERS_GROUP))) == everything
    assert ids(readable(user("yllapito", is_superuser=True))) == everything


def test_only_planners_and_administrators_organise():
    organisers = {role for role in Role if roles.organises(role)}
    internal_readers = {role for role in Role if roles.reads_internal(role)}

    assert organisers == {Role.PLANNER, Role.ADMIN}
    assert internal_readers == {Role.STAFF, Role.PLANNER, Role.ADMIN}
