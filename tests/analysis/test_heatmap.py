# SPDX-License-Identifier: EUPL-1.2
"""analysis.heatmap: the cells PostGIS counts agree with the same grid computed in plain Python.

The reference: pyproj transforms each point to EPSG:3067, the cell is
(floor(x / cell), floor(y / cell)), the weight coalesce(severity, 3). Every heat map is
summed from a 50 m pre-aggregate of its QuerySet; the same cells binned live from the points
are held to the same reference.
"""

import json
import math
import random
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pyproj import Transformer
from shapely.geometry import shape

from analysis import heatmap as heat
from walks.models import Category, Observation, Status, Visibility

TO_NATIONAL = Transformer.from_crs(4326, 3067, always_xy=True)


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


def binned(rows, municipality, cell, min_count=1):
    """The whole municipality's answer with the points binned live: no pre-aggregate."""
    wanted = heat.Plan(heat.national_extent(municipality.geom.extent, 3067), cell).tiles()
    rectangle = (
        min(ti for ti, _tj in wanted),
        min(tj for _ti, tj in wanted),
        max(ti for ti, _tj in wanted),
        max(tj for _ti, tj in wanted),
    )
    tiles = heat.tiles_of(
        rows.in_municipality(municipality),
        srid=3067,
        cell=cell,
        tiles=rectangle,
        min_count=min_count,
    )
    return heat._collection(cell, 3067, min_count, [tiles[tile] for tile in wanted])


def pre_aggregated(municipality, key):
    """(cells, observations) in one pre-aggregate."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), coalesce(sum(n), 0) FROM geo_heatcell"
            " WHERE municipality_id = %s AND query_key = %s",
            [municipality.pk, key],
        )
        return cursor.fetchone()


def kept(municipality):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT query_key FROM geo_heatcell_stamp WHERE municipality_id = %s",
            [municipality.pk],
        )
        return {key for (key,) in cursor.fetchall()}


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


def test_it_answers_a_kept_pre_aggregate_in_one_statement_current_after_a_change(
    municipality, points
):
    def answer():
        return heat.heatmap(Observation.objects.all(), municipality, cell=250)

    with CaptureQueriesContext(connection) as queries:
        first = answer()
    # "all" is kept current on write (geo migration 0004): no stamp, no build.
    [statement] = [q["sql"] for q in queries.captured_queries]
    assert "geo_heatcell" in statement and "ST_Transform(o.geom" not in statement
    points[0].severity = 5 if points[0].severity != 5 else 1
    points[0].save()

    changed = answer()

    assert changed != first
    assert changed == binned(Observation.objects.all(), municipality, 250)


@pytest.mark.parametrize("filtered", [False, True])
def test_it_pans_in_two_queries_without_transforming_a_point(municipality, points, filtered):
    rows = Observation.objects.filter(severity__gte=2) if filtered else Observation.objects.all()

    def view(bbox):
        return heat.heatmap(rows, municipality, cell=50, bbox=bbox)

    view((26.90, 60.44, 26.93, 60.46))
    with CaptureQueriesContext(connection) as queries:
        panned = view((26.92, 60.44, 26.95, 60.46))

    # The stamp (a filtered pre-aggregate's; "all" is kept on write), and one statement
    # summing 50 m cells for the whole new view.
    *stamp, statement = [q["sql"] for q in queries.captured_queries]
    assert len(stamp) == (1 if filtered else 0)
    assert "geo_heatcell" in statement and "ST_Transform(o.geom" not in statement
    everything, _collection = cells_of(binned(rows, municipality, 50))
    cells, _collection = cells_of(panned)
    assert cells and set(cells) < set(everything)
    assert all(f == everything[key] for key, f in cells.items())


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


# --- the pre-aggregate ----------------------------------------------------------------


@pytest.fixture
def mixed(points):
    """The 400 points, some internal, rejected, duplicate or in a sensitive category."""
    drugs = Category.objects.get(code="drugs")
    assert drugs.is_sensitive
    for n, o in enumerate(points):
        if n % 7 == 0:
            o.visibility = Visibility.INTERNAL
        elif n % 7 == 1:
            o.status = Status.REJECTED
        elif n % 7 == 2:
            o.category = drugs
        elif n % 7 == 3:
            o.status = Status.DUPLICATE
            o.duplicate_of = points[n - 1]  # a duplicate names its original (in the DB)
    Observation.objects.bulk_update(points, ["visibility", "status", "category", "duplicate_of"])
    return points


def test_it_names_each_queryset_s_pre_aggregate_by_its_sql(municipality):
    assert heat.query_key(Observation.objects.all()) == "all"
    assert heat.query_key(Observation.objects.visible_to_public()) == "public"
    lighting = heat.query_key(Observation.objects.visible_to_public().in_theme("lighting"))
    assert lighting.startswith("q") and len(lighting) == 33
    assert heat.query_key(Observation.objects.visible_to_public().in_theme("lighting")) == (
        lighting
    )
    assert heat.query_key(Observation.objects.visible_to_public().in_theme("traffic")) != (lighting)
    assert heat.query_key(Observation.objects.filter(severity__gte=3)) not in (
        "all",
        "public",
        lighting,
    )
    own = Observation.objects.filter(participant__pk=1)
    assert heat.query_key(Observation.objects.visible_to_public() | own).startswith("q")
    assert heat.query_key(Observation.objects.none()) is None


@pytest.mark.parametrize("cell", [50, 250, 1000])
@pytest.mark.parametrize("which", ["all", "public", "filtered"])
def test_it_sums_the_pre_aggregate_to_exactly_the_binned_points(municipality, mixed, which, cell):
    if which == "filtered":
        rows = Observation.objects.visible_to_public().filter(severity__gte=3)
    else:
        rows = heat.AUDIENCES[which](Observation)

    # 50 m cells rarely hold two of the 400 points: the privacy cut only on larger ones.
    least = 1 if cell == 50 else 2
    answer = heat.heatmap(rows, municipality, cell=cell, min_count=least)

    # The pre-aggregate holds exactly the QuerySet's observations…
    assert 0 < pre_aggregated(municipality, heat.query_key(rows))[1] == rows.count()
    # …and sums to the bytes binning the points gives, and to the plain Python grid.
    assert answer == binned(rows, municipality, cell, min_count=least)
    counts, weights = reference_cells(list(rows), cell)
    cells, _collection = cells_of(answer)
    assert {k: f["properties"]["count"] for k, f in cells.items()} == {
        k: n for k, n in counts.items() if n >= least
    }
    assert {k: f["properties"]["weight"] for k, f in cells.items()} == {
        k: w for k, w in weights.items() if counts[k] >= least
    }
    union = sorted(counts)
    ours = [cells[k]["properties"]["weight"] if k in cells else 0 for k in union]
    theirs = [weights[k] if counts[k] >= least else 0 for k in union]
    assert pearson(ours, theirs) >= 0.99


def test_it_answers_from_the_pre_aggregate(municipality, points):
    rows = Observation.objects.all()
    first, _collection = cells_of(heat.heatmap(rows, municipality, cell=100))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE geo_heatcell SET n = n + 1000 WHERE municipality_id = %s AND query_key = 'all'",
            [municipality.pk],
        )

    tampered, _collection = cells_of(heat.heatmap(rows, municipality, cell=100))

    assert set(tampered) == set(first)
    assert all(f["properties"]["count"] > 1000 for f in tampered.values())
    # Another QuerySet has a pre-aggregate of its own.
    same_rows = Observation.objects.filter(pk__gt=0)
    assert cells_of(heat.heatmap(same_rows, municipality, cell=100))[0] == first


def test_it_rebuilds_the_pre_aggregate_when_observations_change(municipality, mixed):
    lighting = Observation.objects.visible_to_public().in_theme("lighting")

    def answers():
        public = Observation.objects.visible_to_public()
        made = heat.heatmap(public, municipality, cell=250)
        assert made == binned(public, municipality, 250)
        assert heat.heatmap(lighting, municipality, cell=250) == binned(lighting, municipality, 250)
        return made

    seen = [answers()]
    # A new observation.
    Observation.objects.create(
        municipality=municipality,
        category=Category.objects.get(code="lamp_out"),
        geom=Point(26.9101, 60.4501, srid=4326),
        severity=4,
    )
    seen.append(answers())
    # An observation edited out of the public's sight.
    shown = Observation.objects.visible_to_public().order_by("pk").first()
    shown.visibility = Visibility.INTERNAL
    shown.save()
    seen.append(answers())
    # A category made sensitive: no observation changes, the public's map does.
    Category.objects.filter(code="lamp_out").update(is_sensitive=True)
    seen.append(answers())

    assert len(set(seen)) == len(seen)
    assert json.loads(seen[-1])["features"] == []
    assert pre_aggregated(municipality, "public") == (0, 0)


def test_it_rebuilds_a_forgotten_pre_aggregate(municipality, points):
    rows = Observation.objects.filter(severity__gte=1)
    first = heat.heatmap(rows, municipality, cell=500)
    heat.forget_heat_cells(municipality)
    assert pre_aggregated(municipality, heat.query_key(rows)) == (0, 0)
    # The ones kept on write are not forgotten.
    assert pre_aggregated(municipality, "all")[1] == len(points)

    assert heat.heatmap(rows, municipality, cell=500) == first
    assert pre_aggregated(municipality, heat.query_key(rows))[1] == rows.count()


def test_it_keeps_only_the_most_recent_filtered_pre_aggregates(municipality, points, monkeypatch):
    # Everything in a test is one transaction, where now() stands still.
    monkeypatch.setattr(heat, "KEEP_AT_LEAST", timedelta(seconds=-1))
    monkeypatch.setattr(heat, "KEEP_FILTERED", 3)
    heat.heatmap(Observation.objects.all(), municipality, cell=250)
    filtered = [Observation.objects.filter(severity__gte=n) for n in (1, 2, 3, 4, 5)]
    for rows in filtered:
        heat.heatmap(rows, municipality, cell=250)
        assert heat.query_key(rows) in kept(municipality)
    assert len(kept(municipality)) == 3

    # Outdated ones go when the next is built.
    points[0].severity = 5 if points[0].severity != 5 else 1
    points[0].save()
    heat.heatmap(filtered[0], municipality, cell=250)

    assert kept(municipality) == {heat.query_key(filtered[0])}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT query_key FROM geo_heatcell WHERE municipality_id = %s",
            [municipality.pk],
        )
        found = {key for (key,) in cursor.fetchall()}
        assert found == kept(municipality) | set(heat.KEPT_ON_WRITE)


def test_it_builds_once_when_requests_ask_at_the_same_time(seeded_taxonomy, municipality, points):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    barrier = threading.Barrier(3)
    # A filtered pre-aggregate: "all" is kept on write and never built.
    rows = Observation.objects.filter(severity__gte=1)

    def ask(_n):
        try:
            barrier.wait()
            return heat.heatmap(rows, municipality, cell=100)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(ask, range(3)))

    assert answers[0] == answers[1] == answers[2] == binned(rows, municipality, 100)
    assert pre_aggregated(municipality, heat.query_key(rows))[1] == rows.count()
    assert kept(municipality) == {heat.query_key(rows)}


@pytest.mark.parametrize("cell", [100, 250])
def test_it_agrees_with_a_numpy_histogram_of_the_same_points(municipality, points, cell):
    """numpy.histogram2d over the national grid's edges, weighted by severity (3 where
    missing): the correlation over every cell of the municipality's extent is ≥ 0.99, and
    in fact every cell is equal."""
    import numpy as np

    xs, ys = TO_NATIONAL.transform(
        np.array([o.geom.x for o in points]), np.array([o.geom.y for o in points])
    )
    weights = np.array([o.severity or heat.DEFAULT_WEIGHT for o in points], dtype=float)
    i0, j0 = int(np.floor(xs.min() / cell)), int(np.floor(ys.min() / cell))
    i1, j1 = int(np.floor(xs.max() / cell)) + 1, int(np.floor(ys.max() / cell)) + 1
    x_edges = np.arange(i0, i1 + 1) * cell
    y_edges = np.arange(j0, j1 + 1) * cell
    theirs, _, _ = np.histogram2d(xs, ys, bins=[x_edges, y_edges], weights=weights)

    cells, _collection = cells_of(heat.heatmap(Observation.objects.all(), municipality, cell=cell))
    ours = np.zeros_like(theirs)
    for key, feature in cells.items():
        i, j = (int(part) for part in key.split(":"))
        ours[i - i0, j - j0] = feature["properties"]["weight"]

    assert ours.sum() == theirs.sum() == weights.sum()
    assert np.corrcoef(ours.ravel(), theirs.ravel())[0, 1] >= 0.99
    assert np.array_equal(ours, theirs)
