# SPDX-License-Identifier: EUPL-1.2
"""The cells PostgreSQL keeps current on write (geo migration 0004) equal a full rebuild.

Random sequences of inserts (one and many in a statement), moves, status, visibility,
moderation, severity, date and source changes, category changes, deletes (one and many),
and categories moved to another theme or made sensitive and ordinary again, in two
municipalities; after every step:

- `geo_heatcell` "all" and "public" hold row for row what binning the QuerySets
  `Observation.objects.all()` and `readable_by(None)` in 50 m cells gives
  (analysis.heatmap.count_cells, the build of every filtered pre-aggregate);
- `geo_themecell` holds row for row the public observations counted per theme, source,
  UTC month and 250 m cell by one GROUP BY over the same QuerySet;
- `geo_clustercell` "all" and "public" hold row for row what binning the same QuerySets in
  the map's clusters of zoom 16 gives (api.views.clusters.binned, the clusters' own count);
- no cell is left with a count of 0.
"""

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.gis.geos import Point
from django.db import connection

from analysis import heatmap as heat
from api.views.clusters import KEPT_ZOOM, binned
from walks.filters import apply_filters
from walks.models import Category, Moderation, Observation, Source, Status, Theme, Visibility

# Parts of four UTC months: 2026-08-20 … 2026-11-09.
EARLIEST = datetime(2026, 8, 20, tzinfo=UTC)
# A duplicate names its original (walks 0006): made by mark_duplicate only.
STATUSES = [status for status in Status if status != Status.DUPLICATE]
DAYS = 81


def fetched(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def kept_cells(municipality, key):
    return fetched(
        "SELECT i, j, n, weight FROM geo_heatcell WHERE municipality_id = %s"
        " AND query_key = %s ORDER BY i, j",
        [municipality.pk, key],
    )


def rebuilt_cells(municipality, key):
    """What a full build of the key's QuerySet in the municipality gives."""
    rows = heat.AUDIENCES[key](Observation).in_municipality(municipality)
    with connection.cursor() as cursor:
        heat.count_cells(cursor, rows, municipality.national_srid)
        cursor.execute("SELECT i, j, n, weight FROM heat_build ORDER BY i, j")
        found = cursor.fetchall()
        cursor.execute("DROP TABLE heat_build")
    return found


def kept_theme_cells(municipality):
    return fetched(
        "SELECT theme_id, source, month, i, j, n, weight FROM geo_themecell"
        " WHERE municipality_id = %s ORDER BY 1, 2, 3, 4, 5",
        [municipality.pk],
    )


def rebuilt_theme_cells(municipality):
    """The public observations counted per theme, source, UTC month and 250 m cell."""
    rows = heat.AUDIENCES["public"](Observation).in_municipality(municipality)
    sql, params = heat.weighted_points(
        rows, "category__theme_id", "source", "observed_at"
    ).query.sql_with_params()
    srid = municipality.national_srid
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT o.theme_id, o.source,"
            " date_trunc('month', o.observed_at AT TIME ZONE 'UTC')::date,"
            " floor(ST_X(ST_Transform(o.geom, %s)) / 250)::int,"
            " floor(ST_Y(ST_Transform(o.geom, %s)) / 250)::int, count(*), sum(o.w)"
            f" FROM ({sql}) AS o(theme_id, source, observed_at, geom, w)"  # noqa: S608
            " GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5",
            [srid, srid, *params],
        )
        return cursor.fetchall()


def kept_cluster_cells(municipality, key):
    return fetched(
        'SELECT col, "row", n, lon_e7, lat_e7 FROM geo_clustercell'
        " WHERE municipality_id = %s AND query_key = %s ORDER BY 1, 2",
        [municipality.pk, key],
    )


def rebuilt_cluster_cells(municipality, key):
    """The key's QuerySet in the municipality counted in the clusters of KEPT_ZOOM."""
    rows = heat.AUDIENCES[key](Observation).in_municipality(municipality)
    return sorted(tuple(int(value) for value in row) for row in binned(rows, KEPT_ZOOM))


def emptied_cells():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM geo_heatcell WHERE n = 0)"
            " + (SELECT count(*) FROM geo_themecell WHERE n = 0)"
            " + (SELECT count(*) FROM geo_clustercell WHERE n = 0)"
        )
        return cursor.fetchone()[0]


def assert_kept_equals_rebuilt(towns, step):
    for town in towns:
        for key in heat.KEPT_ON_WRITE:
            assert kept_cells(town, key) == rebuilt_cells(town, key), (step, town.code, key)
            assert kept_cluster_cells(town, key) == rebuilt_cluster_cells(town, key), (
                step,
                town.code,
                key,
            )
        assert kept_theme_cells(town) == rebuilt_theme_cells(town), (step, town.code)
    assert emptied_cells() == 0, step


class Writer:
    """Random writes of every kind that changes a cell, through the ORM as the service
    writes (single saves, bulk_create, QuerySet update and delete)."""

    def __init__(self, rng, towns):
        self.rng = rng
        self.towns = towns
        self.categories = list(Category.objects.all())
        self.themes = list(Theme.objects.all())

    def point(self, town):
        x0, y0, x1, y1 = town.geom.extent
        rng = self.rng
        # Clustered, so that cells gain and lose several observations.
        lon = x0 + (x1 - x0) * rng.choice([0.2, 0.5, 0.8]) + rng.gauss(0, 0.002)
        lat = y0 + (y1 - y0) * rng.choice([0.3, 0.7]) + rng.gauss(0, 0.001)
        return Point(min(max(lon, x0 + 1e-4), x1 - 1e-4), min(max(lat, y0 + 1e-4), y1 - 1e-4))

    def fields(self):
        rng = self.rng
        return {
            "category": rng.choice(self.categories),
            "severity": rng.choice([None, 1, 2, 3, 4, 5]),
            "status": rng.choice(STATUSES),
            "visibility": rng.choice(list(Visibility)),
            "moderation": rng.choice(list(Moderation)),
            "source": rng.choice(list(Source)),
            "observed_at": EARLIEST + timedelta(hours=rng.randrange(DAYS * 24)),
        }

    def new(self):
        town = self.rng.choice(self.towns)
        return Observation(municipality=town, geom=self.point(town), **self.fields())

    def some(self, rows=None):
        rows = Observation.objects.all() if rows is None else rows
        return list(rows.order_by("?")[: self.rng.randint(1, 6)])

    def deletable(self):
        """Not the original of a duplicate (deleting one is refused)."""
        originals = Observation.objects.filter(duplicate_of__isnull=False).values("duplicate_of")
        return self.some(Observation.objects.exclude(pk__in=originals))

    def insert(self):
        self.new().save()

    def insert_many(self):
        Observation.objects.bulk_create([self.new() for _ in range(self.rng.randint(2, 12))])

    def change_one(self):
        rows = self.some()
        if not rows:
            return self.insert()
        row = rows[0]
        field = self.rng.choice(["geom", "town", *self.fields()])
        if field == "geom":
            row.geom = self.point(row.municipality)
        elif field == "town":
            row.municipality = self.rng.choice(self.towns)
            row.geom = self.point(row.municipality)
        else:
            setattr(row, field, self.fields()[field])
            if field == "status":
                row.duplicate_of = None
        row.save()

    def change_many(self):
        pks = [row.pk for row in self.some()]
        field = self.rng.choice(["status", "visibility", "moderation", "severity", "category"])
        change = {field: self.fields()[field]}
        if field == "status":
            change["duplicate_of"] = None
        Observation.objects.filter(pk__in=pks).update(**change)

    def mark_duplicate(self):
        rows = self.some(Observation.objects.filter(duplicate_of__isnull=True))
        if len(rows) >= 2:
            rows[0].status, rows[0].duplicate_of = Status.DUPLICATE, rows[1]
            rows[0].save()

    def edit_text(self):
        # No cell changes: the trigger must leave every cell as it is.
        Observation.objects.filter(pk__in=[row.pk for row in self.some()]).update(
            description="muokattu"
        )

    def delete_one(self):
        rows = self.deletable()
        if rows:
            rows[0].delete()

    def delete_many(self):
        Observation.objects.filter(pk__in=[row.pk for row in self.deletable()]).delete()

    def category_sensitive(self):
        category = self.rng.choice(self.categories)
        Category.objects.filter(pk=category.pk).update(is_sensitive=self.rng.random() < 0.5)

    def category_theme(self):
        category = self.rng.choice(self.categories)
        Category.objects.filter(pk=category.pk).update(theme=self.rng.choice(self.themes))

    STEPS = (
        (insert, 4),
        (insert_many, 2),
        (change_one, 6),
        (change_many, 3),
        (mark_duplicate, 1),
        (edit_text, 1),
        (delete_one, 2),
        (delete_many, 1),
        (category_sensitive, 1),
        (category_theme, 1),
    )

    def step(self):
        steps, weights = zip(*self.STEPS, strict=True)
        chosen = self.rng.choices(steps, weights)[0]
        chosen(self)
        return chosen.__name__


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_it_keeps_the_cells_equal_to_a_full_rebuild(municipality, other_town, seed):
    rng = random.Random(seed)
    towns = [municipality, other_town]
    writer = Writer(rng, towns)
    for _ in range(20):
        writer.insert_many()
    assert_kept_equals_rebuilt(towns, "start")
    for n in range(60):
        name = writer.step()
        assert_kept_equals_rebuilt(towns, f"{n}: {name}")
    assert kept_cells(municipality, "all"), "the sequence left some cells to compare"


def test_a_write_that_changes_no_cell_leaves_them_alone(municipality, make_observation):
    row = make_observation(severity=2)
    before = kept_cells(municipality, "all")
    Observation.objects.filter(pk=row.pk).update(description="toinen", updated_at=row.updated_at)
    assert kept_cells(municipality, "all") == before == rebuilt_cells(municipality, "all")


def test_a_truncate_empties_them_and_a_rebuild_counts_them_again(municipality, make_observation):
    make_observation(severity=2)
    make_observation(severity=4)
    with connection.cursor() as cursor:
        # Django's foreign keys are deferred: checked now, so that TRUNCATE may run.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE walks_observation CASCADE")
    assert kept_cells(municipality, "all") == [] == kept_theme_cells(municipality)
    assert kept_cluster_cells(municipality, "all") == []

    make_observation(severity=5)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM geo_heatcell; DELETE FROM geo_themecell; DELETE FROM geo_clustercell"
        )
    heat.rebuild_kept_cells()
    assert_kept_equals_rebuilt([municipality], "rebuilt")
    assert kept_cells(municipality, "all")[0][2:] == (1, 5)
    assert [row[2] for row in kept_cluster_cells(municipality, "all")] == [1]


def features_of(content: bytes) -> dict:
    return {f["id"]: f for f in json.loads(content)["features"]}


@pytest.mark.parametrize(
    ("start", "end"),
    [
        # Whole months (September, October) summed, the days around them binned.
        (datetime(2026, 8, 25, 13, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC)),
        # Inside one month: every day binned.
        (datetime(2026, 9, 3, tzinfo=UTC), datetime(2026, 9, 28, tzinfo=UTC)),
        # Exactly whole months: nothing binned.
        (datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)),
    ],
)
@pytest.mark.parametrize("sources", [None, [Source.RESIDENT, Source.WALK]])
def test_the_theme_heat_maps_equal_each_themes_own_heat_map(
    municipality, other_town, start, end, sources
):
    writer = Writer(random.Random(7), [municipality, other_town])
    for _ in range(40):
        writer.insert_many()
    themes = list(Theme.objects.order_by("pk"))

    every = heat.theme_heat_maps(
        municipality, [t.pk for t in themes], start, end, cell=250, min_count=1, sources=sources
    )

    shown = 0
    for theme in themes:
        filters = {"theme": [theme.code], "observed_after": start, "observed_before": end}
        if sources:
            filters["source"] = sources
        rows = apply_filters(Observation.objects.readable_by(None), filters)
        alone = heat.heatmap(rows, municipality, cell=250, min_count=1)
        assert features_of(every[theme.pk]) == features_of(alone), theme.code
        shown += len(features_of(alone))
    assert shown > 0
