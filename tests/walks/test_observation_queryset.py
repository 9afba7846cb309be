# SPDX-License-Identifier: EUPL-1.2
"""The ObservationQuerySet filters the API and the exports chain, each on a few points.

Points are made inside the `municipality` fixture's box (lon 26.90–26.98, lat 60.44–60.48;
West district west of 26.94). TIME_ZONE is Europe/Helsinki (UTC+2 in November).
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.gis.geos import Polygon
from django.utils import timezone

from tests.api.conftest import make_walk
from tests.conftest import EAST, WEST
from walks.models import Observation, Status, Visibility


@pytest.fixture
def make(make_observation):
    return make_observation


def ids(rows):
    return set(rows.values_list("pk", flat=True))


def test_it_finds_points_in_a_bbox(make):
    west, east = make(at=WEST), make(at=EAST)
    assert ids(Observation.objects.in_bbox(Polygon.from_bbox((26.90, 60.44, 26.94, 60.48)))) == {
        west.pk
    }
    assert ids(Observation.objects.in_bbox(Polygon.from_bbox((26.90, 60.44, 26.98, 60.48)))) == {
        west.pk,
        east.pk,
    }


def test_a_bbox_cuts_exactly_at_its_edges(make):
    """PostGIS compares boxes rounded outwards to single precision: a point a few
    centimetres outside would pass `&&` alone."""
    box = (26.913579, 60.451234, 26.923579, 60.461234)
    on_edges = [make(at=(box[0], box[1])), make(at=(box[2], box[3]))]
    just_outside = [
        make(at=(box[0] - 1e-7, 60.455)),
        make(at=(box[2] + 1e-7, 60.455)),
        make(at=(26.92, box[1] - 1e-7)),
        make(at=(26.92, box[3] + 1e-7)),
    ]
    rectangle = Polygon.from_bbox(box)

    found = ids(Observation.objects.in_bbox(rectangle))

    assert found == {o.pk for o in on_edges}
    rough = ids(Observation.objects.filter(geom__bboverlaps=rectangle))
    assert rough & {o.pk for o in just_outside}  # why the exact cut is there


def test_it_filters_by_categories_and_theme(make):
    lamp, pothole, graffiti = make("lamp_out"), make("pothole"), make("graffiti")
    assert ids(Observation.objects.in_categories(["lamp_out", "pothole"])) == {lamp.pk, pothole.pk}
    assert ids(Observation.objects.in_theme("lighting")) == {lamp.pk}
    assert ids(Observation.objects.in_theme("lighting", "vandalism")) == {lamp.pk, graffiti.pk}


def test_it_filters_by_status(make):
    new, resolved = make(), make(status=Status.RESOLVED)
    make(status=Status.REJECTED)
    assert ids(Observation.objects.with_status([Status.NEW, Status.RESOLVED])) == {
        new.pk,
        resolved.pk,
    }


def test_it_keeps_severity_between_both_ends_included(make):
    low, middle, high = make(severity=1), make(severity=3), make(severity=5)
    make(severity=None)
    assert ids(Observation.objects.severity_between(2, 5)) == {middle.pk, high.pk}
    assert ids(Observation.objects.severity_between(None, 3)) == {low.pk, middle.pk}
    assert ids(Observation.objects.severity_between(3, 3)) == {middle.pk}


def test_it_reads_days_as_local_days(make):
    # 2026-11-19 23:30 in Helsinki is 21:30 UTC: still the 19th where the walk was.
    late_on_19th = make(observed_at=datetime(2026, 11, 19, 21, 30, tzinfo=UTC))
    early_on_20th = make(observed_at=datetime(2026, 11, 19, 22, 30, tzinfo=UTC))
    assert ids(Observation.objects.observed_between(date(2026, 11, 19), date(2026, 11, 20))) == {
        late_on_19th.pk
    }
    assert ids(Observation.objects.observed_between(start=date(2026, 11, 20))) == {early_on_20th.pk}


def test_it_takes_moments_with_an_exclusive_end(make):
    moment = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    at, after = make(observed_at=moment), make(observed_at=moment + timedelta(minutes=1))
    assert ids(Observation.objects.observed_between(moment, moment + timedelta(minutes=1))) == {
        at.pk
    }
    assert ids(Observation.objects.observed_between(end=moment + timedelta(minutes=2))) == {
        at.pk,
        after.pk,
    }


def test_it_finds_what_changed_since(make):
    old, recent = make(), make()
    Observation.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=2))
    assert ids(Observation.objects.changed_since(timezone.now() - timedelta(days=1))) == {recent.pk}


def test_it_filters_by_walk(make, municipality):
    walk = make_walk(municipality)
    on_walk = make(walk=walk)
    make()
    assert ids(Observation.objects.in_walk(walk)) == {on_walk.pk}
    assert ids(Observation.objects.in_walk(walk.pk)) == {on_walk.pk}


def test_the_public_sees_public_ones_outside_sensitive_categories(make):
    public = make("lamp_out")
    make("lamp_out", visibility=Visibility.INTERNAL)
    make("lamp_out", status=Status.DUPLICATE, duplicate_of=public)
    make("drugs", visibility=Visibility.PUBLIC)  # sensitive, even if made public
    assert ids(Observation.objects.visible_to_public()) == {public.pk}
