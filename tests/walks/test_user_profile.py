# SPDX-License-Identifier: EUPL-1.2
"""A user's default municipality: their own, else the first with observations, else the
first; set by an administrator in the user's page of the admin."""

import pytest
from django.contrib.auth import get_user_model

from walks.models import UserProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("valo")


def test_it_is_the_users_own_municipality(user, municipality, alajarvi, make_observation):
    UserProfile.objects.create(user=user, municipality=alajarvi)
    make_observation()  # data in the test town does not matter

    assert UserProfile.municipality_of(user) == alajarvi


def test_without_one_it_is_the_municipality_with_data(
    user, municipality, alajarvi, make_observation
):
    make_observation()

    assert UserProfile.municipality_of(user) == municipality
    UserProfile.objects.create(user=user)  # a profile without a municipality changes nothing
    assert UserProfile.municipality_of(user) == municipality


def test_without_data_it_is_the_first_by_code(user, municipality, alajarvi):
    assert UserProfile.municipality_of(user) == alajarvi


def test_without_municipalities_it_is_none(user):
    assert UserProfile.municipality_of(user) is None


def test_an_administrator_sets_it_on_the_users_page(client, user, municipality, alajarvi):
    admin = get_user_model().objects.create_superuser("aino", "aino@example.fi", "pw-aino-1")
    client.force_login(admin)
    url = f"/admin/auth/user/{user.pk}/change/"

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "Default municipality" in page.text
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
        },
    )

    assert answer.status_code == 302, answer.text[:2000]
    assert UserProfile.objects.get(user=user).municipality == municipality
