# SPDX-License-Identifier: EUPL-1.2
"""geo.heatmap: the cells PostGIS counts agree with the same grid computed in plain Python.

The reference: pyproj transforms each point to EPSG:3067, the cell is
(floor(x / cell), floor(y / cell)), the weight coalesce(severity, 3).
"""

import json
import math
import random
from collections import Counter

import pytest
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pyproj import Transformer
from shapely.geometry import shape

from geo import heatmap as heat
from walks.models import Category, Observation

TO_NATIONAL = Transformer.from_crs(4326, 3067, always_xy=True)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def points(municipality):
    """400 observations in five clusters inside the test town, some without a severity."""
    rng = random.Random(2026)
    category = Category.objects.get(code="lamp_out")
    centres = [(26.91, 60.45), (26.93, 60.47), (26.95, 60.455), (26.965, 60.475), (26.92, 60.46)]
    rows = []
    for n in range(400):
        lon, lat = centres[n % len(centres)]
        rows.append(
            Observation(
                municipality=municipality,
                category=category,
                geom=Point(
                    min(max(rng.gauss(lon, 0.006), 26.9001), 26.9799),
                    min(max(rng.gauss(lat, 0.003), 60.4401), 60.4799),
                    srid=4326,
                ),
                severity=rng.choice([None, 1, 2, 3, 4, 5]),
            )
        )
    return Observation.objects.bulk_create(rows)


def reference_cells(observations, cell):
    counts, weights = Counter(), Counter()
    for o in observations:
        x, y = TO_NATIONAL.transform(o.geom.x, o.geom.y)
        key = f"{math.floor(x / cell)}:{math.floor(y / cell)}"
        counts[key] += 1
        weights[key] += o.severity if o.severity is not None else heat.DEFAULT_WEIGHT
    return counts, weights


def cells_of(content: bytes):
    collection = json.loads(content)
    return {f["id"]: f for f in collection["features"]}, collection


def pearson(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy)


@pytest.mark.parametrize("cell", [100, 250, 500])
def test_it_counts_and_weighs_as_the_plain_python_grid(municipality, points, cell):
    cells, collection = cells_of(heat.heatmap(Observation.objects.all(), municipality, cell=cell))
    counts, weights = reference_cells(points, cell)

    assert collection["cell"] == cell and collection["srid"] == 3067
    assert {k: f["properties"]["count"] for k, f in cells.items()} == dict(counts)
    assert {k: f["properties"]["weight"] for k, f in cells.items()} == dict(weights)
    union = sorted(set(cells) | set(weights))
    ours = [cells[k]["properties"]["weight"] if k in cells else 0 for k in union]
    theirs = [weights.get(k, 0) for k in union]
    assert pearson(ours, theirs) >= 0.99
    area_km2 = cell * cell / 1e6
    for key, f in cells.items():
        assert f["properties"]["density"] == pytest.approx(weights[key] / area_km2, abs=1e-3)


def test_it_draws_each_cell_as_its_square_of_the_national_grid(municipality, points):
    cells, _collection = cells_of(heat.heatmap(Observation.objects.all(), municipality, cell=250))
    for key, f in cells.items():
        i, j = (int(part) for part in key.split(":"))
        ring = shape(f["geometry"]).exterior
        assert ring.is_ccw  # RFC 7946
        corners = {
            (round(x), round(y))
            for x, y in (TO_NATIONAL.transform(*xy) for xy in list(ring.coords)[:-1])
        }
        # Six decimals of a degree are about 10 cm: the corners land on the metre.
        expected = {(i * 250 + dx, j * 250 + dy) for dx in (0, 250) for dy in (0, 250)}
        assert corners == expected


def test_it_leaves_out_cells_under_the_minimum_count(municipality, points):
    counts, _weights = reference_cells(points, 100)
    assert min(counts.values()) < 3  # the clusters' fringes have lonely cells

    cells, collection = cells_of(
        heat.heatmap(Observation.objects.all(), municipality, cell=100, min_count=3)
    )

    assert collection["min_count"] == 3
    assert {k: f["properties"]["count"] for k, f in cells.items()} == {
        k: n for k, n in counts.items() if n >= 3
    }


def test_it_answers_a_bbox_with_the_tiles_that_hold_it(municipality, points):
    bbox = (26.90, 60.44, 26.915, 60.45)
    cells, _collection = cells_of(
        heat.heatmap(Observation.objects.all(), municipality, cell=100, bbox=bbox)
    )
    everything, _collection = cells_of(
        heat.heatmap(Observation.objects.all(), municipality, cell=100)
    )

    assert cells and set(cells) < set(everything)
    for key, f in cells.items():
        assert f == everything[key]
    x0, y0, x1, y1 = heat.national_extent(bbox, 3067)
    tile = heat.TILE_CELLS * 100
    for key in cells:
        i, j = (int(part) for part in key.split(":"))
        assert math.floor(x0 / tile) <= i * 100 // tile <= math.floor(x1 / tile)
        assert math.floor(y0 / tile) <= j * 100 // tile <= math.floor(y1 / tile)


def test_it_answers_an_empty_collection_outside_the_municipality(municipality, points):
    cells, collection = cells_of(
        heat.heatmap(Observation.objects.all(), municipality, bbox=(10.0, 50.0, 11.0, 51.0))
    )
    assert cells == {} and collection["type"] == "FeatureCollection"


def test_it_serves_a_repeated_view_from_the_cache_until_an_observation_changes(
    municipality, points
):
    def answer():
        return heat.heatmap(Observation.objects.all(), municipality, cell=250, cache_key="all")

    first = answer()
    with CaptureQueriesContext(connection) as queries:
        assert answer() == first
    assert len(queries) == 1  # the stamp only
    points[0].severity = 5 if points[0].severity != 5 else 1
    points[0].save()

    changed = answer()

    assert changed != first
    assert changed == heat.heatmap(Observation.objects.all(), municipality, cell=250)


def test_it_computes_only_the_tiles_a_pan_uncovers(municipality, points):
    def view(bbox):
        return heat.heatmap(
            Observation.objects.all(), municipality, cell=50, bbox=bbox, cache_key="all"
        )

    view((26.90, 60.44, 26.93, 60.46))
    with CaptureQueriesContext(connection) as queries:
        panned = view((26.92, 60.44, 26.95, 60.46))
    assert len(queries) == 2  # the stamp, and one statement for the uncovered tiles
    assert panned == heat.heatmap(
        Observation.objects.all(), municipality, cell=50, bbox=(26.92, 60.44, 26.95, 60.46)
    )


@pytest.mark.parametrize(
    ("zoom", "cell"),
    [
        (0, 2000),
        (10, 2000),
        (11, 1000),
        (12, 500),
        (13, 250),
        (14, 100),
        (15, 50),
        (22, 50),
    ],
)
def test_it_follows_the_zoom_with_a_cell_about_24_pixels_wide(zoom, cell):
    # At 60.46° N a pixel of zoom 13 is 40075016.686·cos(60.46°)/2^13/256 = 9.42 m: 226 m.
    assert heat.cell_for_zoom(zoom, 60.46) == cell


def test_it_coarsens_the_zoom_cell_rather_than_answer_too_many_cells():
    extent = (0, 0, 100_000, 100_000)  # 100 km square: 50 m would be 4,000,000 cells
    assert heat.choose_cell(extent, 60.0, zoom=18) == 1000
    with pytest.raises(heat.TooManyCells):
        heat.choose_cell(extent, 60.0, cell=50)
