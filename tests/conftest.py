# SPDX-License-Identifier: EUPL-1.2
"""Shared fixtures: the real files in ../shared/data and a small known municipality."""

from pathlib import Path

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"The shared test data is missing: expected it at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def municipality(db):
    """Kotka-sized test town: a 4 km square split into West (id lower) and East districts."""
    from geo.models import District, Municipality

    def box(x0, y0, x1, y1):
        return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=4326)

    town = Municipality.objects.create(
        code="285",
        country="FI",
        name_fi="Testilä",
        name_sv="Testby",
        name_en="Testtown",
        national_srid=3067,
        geom=box(26.90, 60.44, 26.98, 60.48),
    )
    District.objects.create(
        municipality=town,
        code="1",
        name="Länsi",
        name_sv="Väster",
        population=4000,
        geom=box(26.90, 60.44, 26.94, 60.48),
    )
    District.objects.create(
        municipality=town,
        code="2",
        name="Itä",
        name_sv="Öster",
        population=6000,
        geom=box(26.94, 60.44, 26.98, 60.48),
    )
    return town
