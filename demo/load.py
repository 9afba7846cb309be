# SPDX-License-Identifier: EUPL-1.2
"""Synthetic loads for benchmarks: `manage.py generate_observations`.

Resident reports clustered inside any municipality, spread over the last three years and
written in batches through the bulk path. The same municipality and seed give the same
rows and UUIDs.
"""

import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import shapely
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from demo.patterns import (
    HELSINKI,
    REPORT_THEMES,
    CategoryPicker,
    DemoError,
    S,
    Weighted,
    hour_after_sunset,
    is_lighting,
    light_at,
    local_moment,
    observation_row,
    position,
    severity_and_safety,
    status_for,
    status_mix_for_age,
)
from geo.models import Municipality
from walks.bulk import ObservationRow, insert_observations
from walks.models import Category, PositionSource

LOAD_BATCH = 100_000
LOAD_YEARS = 3
LOAD_SOURCES = Weighted({PositionSource.MAP: 50, PositionSource.GPS: 45, PositionSource.ADDRESS: 5})
# When people report, by local hour (lighting reports are taken care of separately).
REPORT_HOURS = Weighted(
    dict(enumerate([1, 1, 1, 1, 1, 2, 4, 7, 9, 9, 9, 9, 9, 9, 9, 10, 10, 10, 9, 8, 7, 5, 3, 2]))
)

# Cluster centres: in each district as many as its share of the population (districts
# without a population count as average ones), or anywhere inside the boundary when the
# municipality has no districts. Ordered, so that a seed always gives the same centres.
_CLUSTER_CENTRES_IN_DISTRICTS = """
WITH weighted AS (
    SELECT d.id, d.geom, coalesce(d.population, avg(d.population) OVER (), 1) AS weight
    FROM geo_district d WHERE d.municipality_id = %(municipality)s
), shares AS (
    SELECT id, geom, greatest(1, round(%(n)s * weight / sum(weight) OVER ()))::int AS n
    FROM weighted
)
SELECT ST_X(p.geom), ST_Y(p.geom)
FROM shares, ST_Dump(ST_GeneratePoints(ST_Transform(shares.geom, %(srid)s), shares.n, %(seed)s)) p
ORDER BY shares.id, p.path
"""
_CLUSTER_CENTRES_IN_BOUNDARY = """
SELECT ST_X(p.geom), ST_Y(p.geom)
FROM geo_municipality m,
     ST_Dump(ST_GeneratePoints(ST_Transform(m.geom, %(srid)s), %(n)s, %(seed)s)) p
WHERE m.id = %(municipality)s
ORDER BY p.path
"""
_NATIONAL_BOUNDARY = (
    "SELECT ST_AsBinary(ST_Transform(geom, national_srid)) FROM geo_municipality WHERE id = %s"
)


@dataclass
class LoadReport:
    requested: int
    inserted: int = 0
    with_district: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.inserted / self.seconds if self.seconds else 0.0


def generate_load(
    municipality: Municipality,
    count: int,
    *,
    seed: int,
    batch_size: int = LOAD_BATCH,
    on_batch: Callable[[LoadReport, int], None] | None = None,
) -> LoadReport:
    """`count` resident reports clustered inside the municipality, over the last three years.

    The same municipality and seed give the same rows and UUIDs, so repeating a run adds
    nothing; another seed adds another load. Each batch is committed on its own, so memory
    stays bounded and a long run shows progress (on_batch gets the report and rows made).
    """
    if count <= 0:
        raise DemoError(
            _("The count must be a positive whole number, not %(count)s.") % {"count": count}
        )
    rows = _LoadRows(municipality, seed)
    clusters = _load_clusters(rows.rng, municipality, seed, count)
    boundary = _national_boundary(municipality)

    def make_batch(size: int) -> list[ObservationRow]:
        points = _clustered_points(rows.rng, clusters, boundary, size)
        return [rows.make(x, y) for x, y in points]

    sizes = [min(batch_size, count - start) for start in range(0, count, batch_size)]
    report, made, started = LoadReport(requested=count), 0, time.monotonic()
    # Python makes the next batch while PostgreSQL inserts this one: two cores, both busy.
    # Only this thread touches the database; the maker only draws random numbers, in order.
    with ThreadPoolExecutor(max_workers=1) as maker:
        next_batch = maker.submit(make_batch, sizes[0])
        for i, size in enumerate(sizes):
            batch = next_batch.result()
            if i + 1 < len(sizes):
                next_batch = maker.submit(make_batch, sizes[i + 1])
            result = insert_observations(
                batch, municipality_id=municipality.pk, srid=municipality.national_srid
            )
            made += size
            report.inserted += result.inserted
            report.with_district += result.with_district
            report.seconds = time.monotonic() - started
            if on_batch:
                on_batch(report, made)
    return report


def _national_boundary(municipality: Municipality):
    with connection.cursor() as cursor:
        cursor.execute(_NATIONAL_BOUNDARY, [municipality.pk])
        boundary = shapely.from_wkb(bytes(cursor.fetchone()[0]))
    shapely.prepare(boundary)
    return boundary


def _load_clusters(rng, municipality, seed: int, count: int):
    """Cluster centres sampled in PostGIS, each with a spread and a weight."""
    params = {
        "n": min(400, max(20, count // 2000)),
        "seed": seed % 2_000_000_000 + 1,  # ST_GeneratePoints wants a positive seed
        "municipality": municipality.pk,
        "srid": municipality.national_srid,
    }
    with connection.cursor() as cursor:
        cursor.execute(_CLUSTER_CENTRES_IN_DISTRICTS, params)
        centres = cursor.fetchall()
        if not centres:
            cursor.execute(_CLUSTER_CENTRES_IN_BOUNDARY, params)
            centres = cursor.fetchall()
    spreads = [rng.uniform(40, 500) for _ in centres]
    weights = [rng.paretovariate(2.0) for _ in centres]  # a few hot spots, many quiet ones
    return centres, spreads, weights


def _clustered_points(rng, clusters, boundary, size: int) -> list[tuple[float, float]]:
    """Gaussian clouds round the centres; a point that falls outside is drawn again."""
    centres, spreads, weights = clusters
    chosen = rng.choices(range(len(centres)), weights=weights, k=size)
    points = [None] * size
    todo = list(range(size))
    for _attempt in range(8):
        xs = [centres[chosen[i]][0] + rng.gauss(0, spreads[chosen[i]]) for i in todo]
        ys = [centres[chosen[i]][1] + rng.gauss(0, spreads[chosen[i]]) for i in todo]
        ok = shapely.contains_xy(boundary, xs, ys)
        for i, x, y, good in zip(todo, xs, ys, ok, strict=True):
            if good:
                points[i] = (x, y)
        todo = [i for i, good in zip(todo, ok, strict=True) if not good]
        if not todo:
            break
    for i in todo:  # the centre itself is inside
        points[i] = centres[chosen[i]]
    return points


class _LoadRows:
    """Makes one synthetic resident report at a time, from two seeded generators."""

    POSITIVE_SHARE = 0.06
    KEEP_ORIGINALS = 5000  # recent reports a duplicate may point at

    def __init__(self, municipality: Municipality, seed: int):
        self.picker = CategoryPicker.from_database()
        self.themes = self.picker.weights(REPORT_THEMES)
        # Seeded and reproducible on purpose; none of this is a secret. UUIDs have their own
        # generator, so that the n-th UUID of a seed never depends on anything else.
        self.rng = random.Random(f"lyhty-load:{municipality.code}:{seed}")  # noqa: S311
        self.uuid_rng = random.Random(f"lyhty-load-uuid:{municipality.code}:{seed}")  # noqa: S311
        self.now = timezone.now()
        self.today = self.now.astimezone(HELSINKI).date()
        self.originals: list[UUID] = []

    def make(self, x: float, y: float) -> ObservationRow:
        rng, now = self.rng, self.now
        category = self.picker.pick(rng, self.themes, self.POSITIVE_SHARE)
        observed_at = self.observed_at(category)
        created_at = min(observed_at + timedelta(seconds=rng.uniform(5, 3600)), now)
        age = (now - observed_at).total_seconds() / 86400
        status = status_for(rng, status_mix_for_age(age), category)
        row_uuid = UUID(int=self.uuid_rng.getrandbits(128), version=4)
        duplicate_of = None
        if status == S.DUPLICATE and self.originals:
            duplicate_of = rng.choice(self.originals)
        elif status == S.DUPLICATE:
            status = S.REJECTED  # nothing yet to be a duplicate of
        else:
            self.remember(row_uuid)
        light = light_at(observed_at.astimezone(HELSINKI))
        severity, safety = severity_and_safety(rng, category, light)
        source, accuracy = position(rng, LOAD_SOURCES)
        updated_at = created_at
        if status != S.NEW:
            updated_at = min(created_at + timedelta(days=rng.uniform(0.5, 30)), now)
        return observation_row(
            category,
            status,
            uuid=row_uuid,
            x=x,
            y=y,
            light_condition=light,
            position_source=source,
            observed_at=observed_at,
            created_at=created_at,
            updated_at=updated_at,
            severity=severity,
            perceived_safety=safety,
            accuracy_m=accuracy,
            duplicate_of=duplicate_of,
        )

    def observed_at(self, category: Category) -> datetime:
        rng = self.rng
        day = self.today - timedelta(days=int(rng.uniform(0, LOAD_YEARS * 365)))
        if is_lighting(category) and rng.random() < 0.8:
            hour = hour_after_sunset(rng, day)
        else:
            hour = REPORT_HOURS.draw(rng) + rng.random()
        return min(local_moment(day, hour), self.now - timedelta(minutes=5))

    def remember(self, original: UUID) -> None:
        if len(self.originals) < self.KEEP_ORIGINALS:
            self.originals.append(original)
        else:
            self.originals[self.rng.randrange(self.KEEP_ORIGINALS)] = original
