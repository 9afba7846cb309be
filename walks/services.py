# SPDX-License-Identifier: EUPL-1.2
"""Workflows that span several models: receiving a batch of observations.

A phone on a poor network retries; every retry must be safe. Each observation carries the
UUID its client made, and a batch goes to PostGIS as two statements whatever its size:
one places every point in its municipality, one inserts the valid ones with
`ON CONFLICT (uuid) DO NOTHING`. The district trigger (walks 0002) runs on that insert.
"""

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from walks.columns import column, columns, typed_columns
from walks.models import Category, Observation, Status, Visibility

# How far outside its municipality's boundary a point may lie: GPS error near the border
# and a walk route that follows it. Farther is a mistake, often latitude and longitude
# swapped (60.46, 26.92 lands in the Indian Ocean).
MAX_OUTSIDE_M = 1000
METRES_PER_DEGREE = 111_320
OUTSIDE_MUNICIPALITY = _(
    "The point is more than 1 km outside the municipality. "
    "Check that longitude comes before latitude."
)


@dataclass
class NewObservation:
    uuid: uuid.UUID
    lon: float
    lat: float
    category: Category
    # None: the municipality whose area holds the point.
    municipality_id: int | None = None
    stretch: dict | None = None
    walk_id: int | None = None
    participant_id: int | None = None
    reporter_id: int | None = None
    accuracy_m: float | None = None
    position_source: str = "gps"
    severity: int | None = None
    perceived_safety: int | None = None
    is_positive: bool | None = None
    light_condition: str = ""
    description: str = ""
    proposed_fix: str = ""
    # None: internal for a sensitive category, public otherwise.
    visibility: str | None = None
    # walks.models.Source: a walk's observation unless the caller says otherwise.
    source: str = "walk"
    observed_at: datetime | None = None


@dataclass
class Outcome:
    uuid: uuid.UUID
    result: str  # created | exists | rejected
    id: int | None = None
    errors: dict = field(default_factory=dict)
    # For "exists": whose it is, so the API can refuse to reveal someone else's.
    participant_id: int | None = None
    reporter_id: int | None = None


_PLACE = """
SELECT i.n, (
    SELECT m.id FROM {municipality} m
    WHERE (i.municipality IS NULL OR m.id = i.municipality)
      AND m.geom && ST_Expand(p.pt, %s / greatest(cos(radians(i.lat)), 0.01))
      AND (ST_Covers(m.geom, p.pt) OR ST_DWithin(m.geom::geography, p.pt::geography, %s))
    ORDER BY ST_Covers(m.geom, p.pt) DESC, m.id
    LIMIT 1
)
FROM jsonb_to_recordset(%s::jsonb) AS i(n int, lon float8, lat float8, municipality bigint)
CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(i.lon, i.lat), 4326) AS pt) AS p
"""


def place_in_municipalities(items: list[NewObservation]) -> list[int | None]:
    """Each item's municipality: the given one if the point is in it (or ≤ 1 km outside),
    else the one holding the point; None when the point is nowhere it may be."""
    from geo.models import Municipality

    rows = [
        {"n": n, "lon": item.lon, "lat": item.lat, "municipality": item.municipality_id}
        for n, item in enumerate(items)
    ]
    sql = _PLACE.format(municipality=Municipality._meta.db_table)
    margin_degrees = 1.1 * MAX_OUTSIDE_M / METRES_PER_DEGREE
    with connection.cursor() as cursor:
        cursor.execute(sql, [margin_degrees, MAX_OUTSIDE_M, json.dumps(rows)])
        found = dict(cursor.fetchall())
    return [found.get(n) for n in range(len(items))]


# The columns each item fills (their types: walks.columns), besides geom and stretch.
_FIELDS = [
    "uuid",
    "municipality",
    "walk",
    "participant",
    "reporter",
    "accuracy_m",
    "position_source",
    "source",
    "category",
    "severity",
    "perceived_safety",
    "is_positive",
    "light_condition",
    "description",
    "proposed_fix",
    "status",
    "visibility",
    "observed_at",
]


def _insert_sql() -> str:
    return f"""
INSERT INTO {Observation._meta.db_table} ({columns(_FIELDS)}, geom, stretch, created_at, updated_at)
SELECT {", ".join(f"i.{column(field)}" for field in _FIELDS)},
       CASE WHEN i.stretch IS NULL THEN ST_SetSRID(ST_MakePoint(i.lon, i.lat), 4326)
            ELSE ST_LineInterpolatePoint(ST_SetSRID(ST_GeomFromGeoJSON(i.stretch), 4326), 0.5)
       END,
       ST_SetSRID(ST_GeomFromGeoJSON(i.stretch), 4326),
       now(), now()
FROM jsonb_to_recordset(%s::jsonb)
     AS i(n int, lon float8, lat float8, stretch jsonb, {typed_columns(_FIELDS)})
ORDER BY i.n
ON CONFLICT (uuid) DO NOTHING
RETURNING uuid, id
"""


def _row(n: int, item: NewObservation, municipality_id: int) -> dict:
    category = item.category
    visibility = item.visibility or (
        Visibility.INTERNAL if category.is_sensitive else Visibility.PUBLIC
    )
    return {
        "n": n,
        "lon": item.lon,
        "lat": item.lat,
        "stretch": item.stretch,
        "uuid": item.uuid,
        "municipality_id": municipality_id,
        "walk_id": item.walk_id,
        "participant_id": item.participant_id,
        "reporter_id": item.reporter_id,
        "accuracy_m": item.accuracy_m,
        "position_source": item.position_source,
        "source": item.source,
        "category_id": category.pk,
        "severity": item.severity,
        "perceived_safety": item.perceived_safety,
        "is_positive": category.is_positive if item.is_positive is None else item.is_positive,
        "light_condition": item.light_condition,
        "description": item.description,
        "proposed_fix": item.proposed_fix,
        "status": Status.NEW,
        "visibility": visibility,
        "observed_at": item.observed_at or timezone.now(),
    }


def submit_observations(items: list[NewObservation]) -> list[Outcome]:
    """Store the items that are new, recognise those already stored; one outcome each.

    Whatever the batch size this is three statements: place, insert, look up the rest.
    Items are expected to be valid otherwise (the API checks each one first).
    """
    if not items:
        return []
    outcomes = [Outcome(uuid=item.uuid, result="rejected") for item in items]
    rows = []
    for n, (item, municipality_id) in enumerate(
        zip(items, place_in_municipalities(items), strict=True)
    ):
        if municipality_id is None:
            outcomes[n].errors = {"geometry": [OUTSIDE_MUNICIPALITY]}
        else:
            rows.append(_row(n, item, municipality_id))
    created = {}
    if rows:
        with connection.cursor() as cursor:
            cursor.execute(_insert_sql(), [json.dumps(rows, cls=DjangoJSONEncoder)])
            created = dict(cursor.fetchall())
    stored_before = [row["uuid"] for row in rows if row["uuid"] not in created]
    existing = {
        found["uuid"]: found
        for found in Observation.objects.filter(uuid__in=stored_before).values(
            "uuid", "id", "participant_id", "reporter_id"
        )
    }
    claimed = set()
    for row in rows:
        outcome = outcomes[row["n"]]
        if row["uuid"] in created and row["uuid"] not in claimed:
            claimed.add(row["uuid"])
            outcome.result, outcome.id = "created", created[row["uuid"]]
        elif row["uuid"] in created or row["uuid"] in existing:
            found = existing.get(row["uuid"]) or {"id": created[row["uuid"]]}
            outcome.result, outcome.id = "exists", found["id"]
            outcome.participant_id = found.get("participant_id", row["participant_id"])
            outcome.reporter_id = found.get("reporter_id", row["reporter_id"])
    return outcomes
