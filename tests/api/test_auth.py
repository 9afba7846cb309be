# SPDX-License-Identifier: EUPL-1.2
"""Integrations sign in with a DRF token made by `manage.py drf_create_token`."""

import io
import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.api.conftest import member
from walks.models import Visibility
from walks.roles import PLANNERS_GROUP, Role


def test_it_lets_an_integration_read_internal_data_with_its_token(municipality, make_observation):
    user = get_user_model().objects.create_user("gis-sync")
    user.groups.add(Group.objects.get(name=PLANNERS_GROUP))
    member(user, municipality, Role.PLANNER)
    out = io.StringIO()
    call_command("drf_create_token", "gis-sync", stdout=out)
    key = out.getvalue().split()[2]
    make_observation(visibility=Visibility.INTERNAL)

    client = APIClient()
    assert json.loads(client.get("/api/v1/observations/").content)["count"] == 0
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert json.loads(client.get("/api/v1/observations/").content)["count"] == 1
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert client.get("/api/v1/observations/").status_code in (401, 403)
