# SPDX-License-Identifier: EUPL-1.2
"""A user's default municipality: their own if their role counts there, else their first
membership's; an administrator's own, else the first with observations, else the first. Set,
with the user's memberships, by an administrator in the user's page of the admin."""

import pytest
from django.contrib.auth import get_user_model

from tests.api.conftest import member
from walks.models import Membership, UserProfile
from walks.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("valo")


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("aino", "aino@example.fi", "pw-aino-1")


def test_it_is_the_users_own_municipality(user, municipality, alajarvi, make_observation):
    member(user, municipality, Role.STAFF)
    member(user, alajarvi, Role.STAFF)
    UserProfile.objects.create(user=user, municipality=alajarvi)
    make_observation()  # data in the test town does not matter

    assert UserProfile.municipality_of(user) == alajarvi


def test_a_default_outside_the_memberships_gives_way_to_the_first_membership(
    user, municipality, alajarvi, other_town
):
    member(user, other_town, Role.PLANNER)
    member(user, municipality, Role.STAFF)
    UserProfile.objects.create(user=user, municipality=alajarvi)

    assert UserProfile.municipality_of(user) == municipality  # 285 before 286


def test_a_user_without_a_membership_has_none(user, municipality):
    UserProfile.objects.create(user=user, municipality=municipality)

    assert UserProfile.municipality_of(user) is None


def test_an_administrator_without_one_gets_the_municipality_with_data(
    admin, municipality, alajarvi, make_observation
):
    make_observation()

    assert UserProfile.municipality_of(admin) == municipality
    UserProfile.objects.create(user=admin)  # a profile without a municipality changes nothing
    assert UserProfile.municipality_of(admin) == municipality
    UserProfile.objects.filter(user=admin).update(municipality=alajarvi)
    assert UserProfile.municipality_of(admin) == alajarvi


def test_without_data_it_is_the_first_by_code(admin, municipality, alajarvi):
    assert UserProfile.municipality_of(admin) == alajarvi


def test_without_municipalities_it_is_none(admin):
    assert UserProfile.municipality_of(admin) is None


def test_an_administrator_sets_it_and_the_memberships_on_the_users_page(
    client, admin, user, municipality, alajarvi
):
    client.force_login(admin)
    url = f"/admin/auth/user/{user.pk}/change/"

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "Default municipality" in page.text
    assert "Memberships" in page.text
    answer = client.post(
        url,
        {
            "username": "valo",
            "is_active": "on",
            "date_joined_0": "2026-01-05",
            "date_joined_1": "08:00:00",
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "0",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "profile-0-municipality": str(municipality.pk),
            "profile-0-user": str(user.pk),
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-municipality": str(municipality.pk),
            "memberships-0-role": "staff",
            "memberships-0-user": str(user.pk),
            "memberships-1-municipality": str(alajarvi.pk),
            "memberships-1-role": "partner",
            "memberships-1-organisation_kind": "rescue",
            "memberships-1-organisation": "Etelä-Pohjanmaan pelastuslaitos",
            "memberships-1-user": str(user.pk),
        },
    )

    assert answer.status_code == 302, answer.text[:2000]
    assert UserProfile.objects.get(user=user).municipality == municipality
    assert set(Membership.objects.filter(user=user).values_list("role", "organisation")) == {
        ("staff", ""),
        ("partner", "Etelä-Pohjanmaan pelastuslaitos"),
    }


def test_a_partner_without_an_organisation_is_refused_with_a_message(
    client, admin, user, municipality
):
    client.force_login(admin)
    answer = client.post(
        "/admin/walks/membership/add/",
        {"user": user.pk, "municipality": municipality.pk, "role": "partner"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert answer.status_code == 200
    assert "A partner needs their organisation" in answer.text
    assert not Membership.objects.exists()
