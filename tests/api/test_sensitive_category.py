# SPDX-License-Identifier: EUPL-1.2
"""A category made sensitive leaves what the public sees at once: clusters, heat map and
district picture, though each of them was answered (and cached) a moment before."""

import pytest

from analysis.picture import municipality_picture
from api.views.picture import read_period
from tests.api.conftest import EAST, WEST
from walks.models import Category, Observation

pytestmark = pytest.mark.django_db

VIEW = "26.90,60.44,26.98,60.48"


def public_figures(public) -> dict:
    clusters = public.get("/api/v1/clusters/", {"bbox": VIEW, "zoom": 12})
    heatmap = public.get("/api/v1/heatmap/", {"municipality": "285", "cell": 250})
    picture = public.get("/api/v1/municipalities/285/picture/")
    for response in (clusters, heatmap, picture):
        assert response.status_code == 200, response.content
    return {
        "clusters": clusters.json()["count"],
        "heat map": sum(f["properties"]["count"] for f in heatmap.json()["features"]),
        "picture": picture.json()["municipality_total"]["total"]["observations"],
    }


def test_it_hides_a_category_made_sensitive_from_the_public_at_once(
    public, municipality, make_observation
):
    # Three of each category in each district: every published cell keeps three or more.
    for at in (WEST, EAST):
        for category in ("lamp_out", "pothole"):
            for _ in range(3):
                make_observation(category, at=at)
    assert public_figures(public) == {"clusters": 12, "heat map": 12, "picture": 12}
    assert public_figures(public) == {"clusters": 12, "heat map": 12, "picture": 12}

    lamps = Category.objects.get(code="lamp_out")
    lamps.is_sensitive = True
    lamps.save()

    assert public_figures(public) == {"clusters": 6, "heat map": 6, "picture": 6}
    # The picture is the one computed afresh over what the public may now read.
    period = read_period(None, None)
    fresh = municipality_picture(Observation.objects.visible_to_public(), municipality, period)
    answer = public.get("/api/v1/municipalities/285/picture/").json()
    assert answer["municipality_total"] == fresh["municipality_total"]
    assert answer["districts"] == fresh["districts"]
