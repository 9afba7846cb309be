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
    return make_town()


def box(x0, y0, x1, y1):
    return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=4326)


def make_town(*, districts_north=60.48, populations=(4000, 6000)):
    """Testilä (285): West and East districts; tests that need a strip outside every
    district lower `districts_north`."""
    from geo.models import District, Municipality

    town = Municipality.objects.create(
        code="285",
        country="FI",
        name_fi="Testilä",
        name_sv="Testby",
        name_en="Testtown",
        national_srid=3067,
        geom=box(26.90, 60.44, 26.98, 60.48),
    )
    # Edges written out, not computed: 26.90 + 0.04 is not 26.94 in floating point.
    for code, name, name_sv, (west, east), population in [
        ("1", "Länsi", "Väster", (26.90, 26.94), populations[0]),
        ("2", "Itä", "Öster", (26.94, 26.98), populations[1]),
    ]:
        District.objects.create(
            municipality=town,
            code=code,
            name=name,
            name_sv=name_sv,
            population=population,
            geom=box(west, 60.44, east, districts_north),
        )
    return town


# A point well inside the other town (other_town), east of the test town.
ELSEWHERE = (27.04, 60.46)


@pytest.fixture
def other_town(db):
    """Muuala (286): another municipality of the same service, east of the test town, with
    West and East districts; the members of the test town are not its members."""
    from geo.models import District, Municipality

    town = Municipality.objects.create(
        code="286",
        country="FI",
        name_fi="Muuala",
        name_sv="Annanstans",
        name_en="Elsewhere",
        national_srid=3067,
        geom=box(27.00, 60.44, 27.08, 60.48),
    )
    for code, name, (west, east) in [
        ("1", "Muualan länsi", (27.00, 27.04)),
        ("2", "Muualan itä", (27.04, 27.08)),
    ]:
        District.objects.create(
            municipality=town,
            code=code,
            name=name,
            population=5000,
            geom=box(west, 60.44, east, 60.48),
        )
    return town


@pytest.fixture
def alajarvi(db):
    """Alajärvi (005), empty: the municipality a national import puts before every other."""
    from geo.models import Municipality

    return Municipality.objects.create(
        code="005",
        country="FI",
        name_fi="Alajärvi",
        name_sv="Alajärvi",
        national_srid=3067,
        geom=box(23.7, 62.9, 23.9, 63.1),
    )


# Points well inside the test town's West and East districts.
WEST = (26.92, 60.46)
EAST = (26.96, 60.46)


@pytest.fixture
def make_observation(municipality):
    """make_observation("dark_spot", at=EAST, severity=4): an observation in Testilä."""
    from django.contrib.gis.geos import Point

    from walks.models import Category, Observation

    def make(category="lamp_out", at=WEST, **fields):
        return Observation.objects.create(
            municipality=municipality,
            category=Category.objects.get(code=category),
            geom=Point(*at, srid=4326),
            **fields,
        )

    return make


@pytest.fixture
def seeded_taxonomy(transactional_db):
    """The seeded categories: earlier transactional tests may have emptied the tables."""
    from walks.models import Category, ResponsibleUnit, Theme
    from walks.taxonomy import seed

    seed(Theme, Category, ResponsibleUnit)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run: page tests in any folder share it, since two
    Playwright instances cannot both drive the main thread's event loop."""
    from playwright.sync_api import sync_playwright

    from plans.render import RenderError, launch_chromium

    with sync_playwright() as playwright:
        try:
            browser = launch_chromium(playwright)
        except RenderError as error:
            pytest.fail(f"{error} Run `make test`, which installs it.")
        yield browser
        browser.close()
