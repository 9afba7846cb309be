# SPDX-License-Identifier: EUPL-1.2
"""The district picture is cached, and the cache never shows an outdated or someone else's
picture: it follows every new observation, and readers of different observations never
share an answer."""

import pytest

from walks.models import Visibility

pytestmark = pytest.mark.django_db

PATH = "/api/v1/municipalities/{code}/picture/"


def whole(client, municipality) -> int:
    response = client.get(PATH.format(code=municipality.code))
    assert response.status_code == 200, response.content
    body = response.json()
    areas = [*body["districts"], body["outside_districts"]]
    return sum(area["total"]["observations"] or 0 for area in areas)


def test_it_follows_a_new_observation_at_once(municipality, make_observation, planner):
    for _ in range(3):
        make_observation()
    assert whole(planner, municipality) == 3
    make_observation()
    assert whole(planner, municipality) == 4


def test_it_keeps_staff_and_public_answers_apart(
    municipality, make_observation, planner, public, participant
):
    for _ in range(3):
        make_observation()
    for _ in range(2):
        make_observation(visibility=Visibility.INTERNAL)
    assert whole(planner, municipality) == 5
    assert whole(public, municipality) == 3
    assert whole(planner, municipality) == 5
