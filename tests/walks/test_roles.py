# SPDX-License-Identifier: EUPL-1.2
"""The role rules of walks.roles: who has which role where, and what each may read.

The whole matrix, endpoint by endpoint, is tests/api/test_permissions.py; here the rules
themselves, without HTTP.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from plans.models import OwnerKind
from tests.api.conftest import POLICE, make_walk, member
from tests.conftest import ELSEWHERE
from tests.plans.conftest import make_plan
from walks import roles
from walks.models import (
    Category,
    Membership,
    Observation,
    PartnerKind,
    Status,
    Visibility,
    WalkParticipant,
)
from walks.roles import PLANNERS_GROUP, STAFF_GROUP, Role, role_in, role_of

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
    assert role_of(member(user("poliisi"), municipality, Role.PARTNER, POLICE)) == Role.PARTNER
    assert role_of(member(user("valo", STAFF_GROUP), municipality, Role.STAFF)) == Role.STAFF
    planner = member(user("suunnittelija", PLANNERS_GROUP), municipality, Role.PLANNER)
    assert role_of(planner) == Role.PLANNER
    assert role_of(user("yllapito", is_superuser=True)) == Role.ADMIN
    gone = member(user("gone", PLANNERS_GROUP, is_active=False), municipality, Role.PLANNER)
    assert role_of(gone) == Role.PUBLIC


def test_a_group_without_a_membership_is_the_public(municipality, make_observation):
    """The groups carry the admin's permissions; the role and its place come from a
    membership. Without one, a planner of the group reads what the public reads."""
    shown = make_observation()
    make_observation(visibility=Visibility.INTERNAL)
    grouped = user("ryhmassa", PLANNERS_GROUP)

    assert role_of(grouped) == Role.PUBLIC
    assert roles.municipalities_of(grouped) == set()
    assert ids(Observation.objects.readable_by(grouped)) == {shown.pk}


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
    assert ids(readable(member(user("poliisi"), municipality, Role.PARTNER, POLICE))) == everything
    assert ids(readable(member(user("valo"), municipality, Role.STAFF))) == everything
    assert ids(readable(member(user("suunnittelija"), municipality, Role.PLANNER))) == everything
    assert ids(readable(user("yllapito", is_superuser=True))) == everything


def test_a_members_role_counts_in_their_municipality_only(
    municipality, other_town, make_observation
):
    here = make_observation(visibility=Visibility.INTERNAL)
    category = Category.objects.get(code="lamp_out")
    there_public = Observation.objects.create(
        municipality=other_town, category=category, geom=Point(*ELSEWHERE, srid=4326)
    )
    Observation.objects.create(
        municipality=other_town,
        category=category,
        geom=Point(*ELSEWHERE, srid=4326),
        visibility=Visibility.INTERNAL,
    )
    planner = member(user("suunnittelija"), municipality, Role.PLANNER)
    admin = user("yllapito", is_superuser=True)

    assert roles.municipalities_of(planner) == {municipality.pk}
    assert roles.municipalities_of(admin) is None
    assert role_in(planner, municipality) == Role.PLANNER
    assert role_in(planner, other_town.pk) == Role.PUBLIC
    assert role_in(admin, other_town) == Role.ADMIN
    # Everything of their own town, what the public reads of the other.
    assert ids(Observation.objects.readable_by(planner)) == {here.pk, there_public.pk}
    assert Observation.objects.readable_by(admin).count() == 3


def test_roles_may_differ_by_municipality(municipality, other_town):
    both = member(user("kaksi"), municipality, Role.PLANNER)
    member(both, other_town, Role.STAFF)

    assert role_of(both) == Role.PLANNER  # the highest anywhere
    assert role_in(both, other_town) == Role.STAFF
    assert roles.municipalities_of(both, having=roles.organises) == {municipality.pk}
    assert roles.municipalities_of(both, having=roles.reads_internal) == {
        municipality.pk,
        other_town.pk,
    }


def test_a_partner_owns_the_actions_of_their_organisation_in_their_municipality(
    municipality, other_town
):
    police = member(user("poliisi"), municipality, Role.PARTNER, POLICE)
    plan, elsewhere = make_plan(municipality), make_plan(other_town, title="Muualla")
    theirs = plan.actions.create(
        year=plan.period_start.year, title_fi="Partio", owner_kind="police", owner_name=POLICE[1]
    )
    rescue = plan.actions.create(
        year=plan.period_start.year, title_fi="Harjoitus", owner_kind="rescue", owner_name=POLICE[1]
    )
    same_name_elsewhere = elsewhere.actions.create(
        year=plan.period_start.year, title_fi="Partio", owner_kind="police", owner_name=POLICE[1]
    )

    assert roles.owns_action(police, theirs)
    assert not roles.owns_action(police, rescue)
    assert not roles.owns_action(police, same_name_elsewhere)
    assert not roles.owns_action(member(user("suunnittelija"), municipality, Role.PLANNER), theirs)


def test_a_membership_is_one_role_per_municipality_and_a_partner_names_their_organisation(
    municipality,
):
    someone = user("joku")
    with pytest.raises(ValidationError) as refused:
        Membership(user=someone, municipality=municipality, role=Role.PARTNER).full_clean()
    assert set(refused.value.message_dict) == {"organisation_kind", "organisation"}
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=someone, municipality=municipality, role=Role.PARTNER)


def test_one_membership_per_user_and_municipality(municipality):
    someone = member(user("joku"), municipality, Role.STAFF)
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=someone, municipality=municipality, role=Role.PLANNER)


def test_partner_kinds_are_action_owner_kinds():
    assert set(PartnerKind.values) <= set(OwnerKind.values)


def test_only_planners_and_administrators_organise():
    organisers = {role for role in Role if roles.organises(role)}
    internal_readers = {role for role in Role if roles.reads_internal(role)}
    exporters = {role for role in Role if roles.exports(role)}

    assert organisers == {Role.PLANNER, Role.ADMIN}
    assert internal_readers == {Role.PARTNER, Role.STAFF, Role.PLANNER, Role.ADMIN}
    assert exporters == {Role.STAFF, Role.PLANNER, Role.ADMIN}
