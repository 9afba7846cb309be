# SPDX-License-Identifier: EUPL-1.2
"""Every role × endpoint × method, allowed and denied.

Each row: an endpoint, a method, and what each persona gets. DENIED is 401 or 403 (DRF
answers 403 to an anonymous caller when session authentication comes first); 404 means the
caller may not even know the observation exists.
"""

import json

import pytest

from tests.api.conftest import feature
from walks.models import Observation, Visibility

DENIED = "denied"
PERSONAS = [
    "public",
    "participant",
    "other_participant",
    "lighting_staff",
    "streets_staff",
    "planner",
    "admin",
]


def everyone(status):
    return dict.fromkeys(PERSONAS, status)


READ_ALL = everyone(200)
INTERNAL_ONLY = {
    "public": 404,
    "participant": 404,
    "other_participant": 404,
    "lighting_staff": 200,
    "streets_staff": 200,
    "planner": 200,
    "admin": 200,
}
STAFF_WRITES = {"lighting_staff": DENIED, "streets_staff": DENIED}

# (name, method, path template, body, expected per persona)
MATRIX = [
    ("municipalities", "get", "/api/v1/municipalities/", None, READ_ALL),
    ("municipality", "get", "/api/v1/municipalities/285/", None, READ_ALL),
    ("municipality write", "post", "/api/v1/municipalities/", {}, everyone(DENIED)),
    ("districts", "get", "/api/v1/districts/", None, READ_ALL),
    ("district", "get", "/api/v1/districts/{district}/", None, READ_ALL),
    ("district write", "patch", "/api/v1/districts/{district}/", {}, everyone(DENIED)),
    ("themes", "get", "/api/v1/themes/", None, READ_ALL),
    ("categories", "get", "/api/v1/categories/", None, READ_ALL),
    ("category write", "post", "/api/v1/categories/", {}, everyone(DENIED)),
    ("walks", "get", "/api/v1/walks/", None, READ_ALL),
    ("walk", "get", "/api/v1/walks/{walk}/", None, READ_ALL),
    ("walk write", "delete", "/api/v1/walks/{walk}/", None, everyone(DENIED)),
    ("join", "post", "/api/v1/walks/join/", "join", everyone(201)),
    ("observations", "get", "/api/v1/observations/", None, READ_ALL),
    ("public observation", "get", "/api/v1/observations/{own}/", None, READ_ALL),
    ("internal observation", "get", "/api/v1/observations/{internal}/", None, INTERNAL_ONLY),
    ("history", "get", "/api/v1/observations/{own}/history/", None, READ_ALL),
    ("internal history", "get", "/api/v1/observations/{internal}/history/", None, INTERNAL_ONLY),
    (
        "create",
        "post",
        "/api/v1/observations/",
        "new",
        {**everyone(201), "public": DENIED, **STAFF_WRITES},
    ),
    (
        "edit own",
        "patch",
        "/api/v1/observations/{own}/",
        "edit",
        {**everyone(200), "public": DENIED, "other_participant": 403, **STAFF_WRITES},
    ),
    (
        "edit internal",
        "patch",
        "/api/v1/observations/{internal}/",
        "edit",
        {**INTERNAL_ONLY, "public": DENIED, **STAFF_WRITES},
    ),
    (
        "delete own",
        "delete",
        "/api/v1/observations/{own}/",
        None,
        {
            **everyone(DENIED),
            "participant": 204,
            "other_participant": 403,
            "admin": 204,
        },
    ),
    (
        "move a lamp (street lighting's)",
        "post",
        "/api/v1/observations/{own}/transition/",
        {"status": "confirmed"},
        {
            **everyone(DENIED),
            "lighting_staff": 200,
            "streets_staff": 403,
            "planner": 200,
            "admin": 200,
        },
    ),
    (
        "move a pothole (streets and parks')",
        "post",
        "/api/v1/observations/{pothole}/transition/",
        {"status": "confirmed"},
        {
            **everyone(DENIED),
            "lighting_staff": 403,
            "streets_staff": 200,
            "planner": 200,
            "admin": 200,
        },
    ),
    (
        "move an internal one",
        "post",
        "/api/v1/observations/{internal}/transition/",
        {"status": "confirmed"},
        {
            **everyone(DENIED),
            "lighting_staff": 200,
            "streets_staff": 403,
            "planner": 200,
            "admin": 200,
        },
    ),
]

CASES = [
    pytest.param(persona, method, path, body, expected[persona], id=f"{name}-{persona}")
    for name, method, path, body, expected in MATRIX
    for persona in PERSONAS
]


@pytest.fixture
def world(personas, walk, municipality, make_observation):
    own = make_observation(walk=walk, participant=personas["participant"].participant)
    return {
        "walk": walk.pk,
        "district": municipality.districts.first().pk,
        "own": own.pk,
        "internal": make_observation(visibility=Visibility.INTERNAL).pk,
        "pothole": make_observation(category="pothole").pk,
    }


def body_for(body, walk):
    if body == "join":
        return {"code": walk.join_code, "group": "residents", "privacy_accepted": True}
    if body == "new":
        return feature()
    if body == "edit":
        return {"type": "Feature", "properties": {"description": "Muutettu"}}
    return body


@pytest.mark.parametrize(("persona", "method", "path", "body", "expected"), CASES)
def test_it_allows_each_role_only_its_own(
    personas, world, walk, persona, method, path, body, expected
):
    client = personas[persona]
    url = path.format(**world)
    count_before = Observation.objects.count()
    kwargs = {}
    if body is not None:
        kwargs = {"data": json.dumps(body_for(body, walk)), "content_type": "application/json"}
    response = getattr(client, method)(url, **kwargs)
    if expected == DENIED:
        assert response.status_code in (401, 403), (response.status_code, response.content)
    else:
        assert response.status_code == expected, response.content
    if response.status_code >= 400 or method == "get":
        assert Observation.objects.count() == count_before
