# SPDX-License-Identifier: EUPL-1.2
"""Workflows that span several models: receiving a batch of observations.

A phone on a poor network retries; every retry must be safe. Each observation carries the
UUID its client made, and a batch goes to PostGIS as one statement whatever its size: it
places every point in its municipality, inserts the valid ones with
`ON CONFLICT (uuid) DO NOTHING` and finds those stored before. The district and address
triggers (walks 0002, 0008) run on that insert.
"""

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime

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
NOT_YOUR_MUNICIPALITY = _("You can add observations only in your own municipalities.")


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


# The municipality of the point p.pt given as i: the given one if the point is in it (or
# ≤ MAX_OUTSIDE_M outside), else the one holding the point, else none. Parameters: the
# margin in degrees (for the index), then in metres.
_PLACED = """(
    SELECT m.id FROM {municipality} m
    WHERE (i.municipality IS NULL OR m.id = i.municipality)
      AND m.geom && ST_Expand(p.pt, %s / greatest(cos(radians(i.lat)), 0.01))
      AND (ST_Covers(m.geom, p.pt) OR ST_DWithin(m.geom::geography, p.pt::geography, %s))
    ORDER BY ST_Covers(m.geom, p.pt) DESC, m.id
    LIMIT 1
)"""

_PLACE = f"""
SELECT i.n, {_PLACED}
FROM jsonb_to_recordset(%s::jsonb) AS i(n int, lon float8, lat float8, municipality bigint)
CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(i.lon, i.lat), 4326) AS pt) AS p
"""


def _margins() -> list:
    """The parameters of _PLACED."""
    return [1.1 * MAX_OUTSIDE_M / METRES_PER_DEGREE, MAX_OUTSIDE_M]


def place_in_municipalities(items: list[NewObservation]) -> list[int | None]:
    """Each item's municipality: the given one if the point is in it (or ≤ 1 km outside),
    else the one holding the point; None when the point is nowhere it may be."""
    from geo.models import Municipality

    rows = [
        {"n": n, "lon": item.lon, "lat": item.lat, "municipality": item.municipality_id}
        for n, item in enumerate(items)
    ]
    sql = _PLACE.format(municipality=Municipality._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_margins(), json.dumps(rows)])
        found = dict(cursor.fetchall())
    return [found.get(n) for n in range(len(items))]


# The columns each item fills (their types: walks.columns), besides municipality, geom
# and stretch.
_FIELDS = [
    "uuid",
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


def _submit_sql() -> str:
    """Place, insert and look up a whole batch in one statement: one row per item with its
    municipality (null: nowhere it may be), its new id if this statement stored it, and
    the stored row's id and owners if it was there before (the statement's snapshot does
    not see its own inserts). Parameters: the margins of _PLACED, the batch as JSON, the
    municipalities the caller may add to (null: any)."""
    from geo.models import Municipality

    table = Observation._meta.db_table
    placed = _PLACED.format(municipality=Municipality._meta.db_table)
    return f"""
WITH placed AS MATERIALIZED (
    SELECT i.*, {placed} AS placed
    FROM jsonb_to_recordset(%s::jsonb)
         AS i(n int, lon float8, lat float8, stretch jsonb, municipality bigint,
              {typed_columns(_FIELDS)})
    CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(i.lon, i.lat), 4326) AS pt) AS p
),
inserted AS (
    INSERT INTO {table} ({columns(_FIELDS)}, municipality_id, geom, stretch, created_at,
                         updated_at)
    SELECT {", ".join(f"i.{column(field)}" for field in _FIELDS)}, i.placed,
           CASE WHEN i.stretch IS NULL THEN ST_SetSRID(ST_MakePoint(i.lon, i.lat), 4326)
                ELSE ST_LineInterpolatePoint(
                    ST_SetSRID(ST_GeomFromGeoJSON(i.stretch), 4326), 0.5)
           END,
           ST_SetSRID(ST_GeomFromGeoJSON(i.stretch), 4326),
           now(), now()
    FROM placed AS i
    WHERE i.placed = ANY(coalesce(%s::bigint[], ARRAY[i.placed]))
    ORDER BY i.n
    ON CONFLICT (uuid) DO NOTHING
    RETURNING uuid, id
),
-- The new ids by UUID in one object: PostgreSQL cannot know how many rows the batch has
-- and joined `inserted` to the batch row by row (500 × 500 comparisons, a third of the
-- statement's time).
new_ids AS (SELECT jsonb_object_agg(uuid::text, id) AS by_uuid FROM inserted)
SELECT i.n, i.placed, (new_ids.by_uuid ->> i.uuid::text)::bigint, before.id,
       before.participant_id, before.reporter_id
FROM placed AS i
CROSS JOIN new_ids
LEFT JOIN {table} AS before ON before.uuid = i.uuid
ORDER BY i.n
"""


def _row(n: int, item: NewObservation) -> dict:
    """One item as JSON values (plain json.dumps: no encoder called for each value)."""
    category = item.category
    visibility = item.visibility or (
        Visibility.INTERNAL if category.is_sensitive else Visibility.PUBLIC
    )
    return {
        "n": n,
        "lon": item.lon,
        "lat": item.lat,
        "stretch": item.stretch,
        "municipality": item.municipality_id,
        "uuid": str(item.uuid),
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
        "observed_at": (item.observed_at or timezone.now()).isoformat(),
    }


def submit_observations(items: list[NewObservation], *, within=None) -> list[Outcome]:
    """Store the items that are new, recognise those already stored; one outcome each.
    `within`: the ids of the municipalities the caller may add to (None: any); an item
    placed elsewhere is rejected.

    Whatever the batch size this is one statement (_submit_sql): place, insert, look up
    the rest. Items are expected to be valid otherwise (the API checks each one first).
    """
    if not items:
        return []
    rows = [_row(n, item) for n, item in enumerate(items)]
    allowed = None if within is None else sorted(within)
    with connection.cursor() as cursor:
        cursor.execute(_submit_sql(), [*_margins(), json.dumps(rows), allowed])
        answers = cursor.fetchall()
    outcomes, late = [], []
    claimed = set()
    for (_n, placed, created_id, before_id, participant_id, reporter_id), item in zip(
        answers, items, strict=True
    ):
        outcome = Outcome(uuid=item.uuid, result="rejected")
        outcomes.append(outcome)
        if placed is None:
            outcome.errors = {"geometry": [OUTSIDE_MUNICIPALITY]}
        elif within is not None and placed not in within:
            outcome.errors = {"municipality": [NOT_YOUR_MUNICIPALITY]}
        elif created_id is not None and item.uuid not in claimed:
            # The first item with this UUID made it; a repeat in the same batch finds it.
            claimed.add(item.uuid)
            outcome.result, outcome.id = "created", created_id
        elif created_id is not None:
            outcome.result, outcome.id = "exists", created_id
            outcome.participant_id, outcome.reporter_id = item.participant_id, item.reporter_id
        elif before_id is not None:
            outcome.result, outcome.id = "exists", before_id
            outcome.participant_id, outcome.reporter_id = participant_id, reporter_id
        else:
            # Stored by another request (a phone's retry) that committed after this
            # statement began: neither inserted here nor seen before. Looked up below.
            late.append(outcome)
    stored = Observation.objects.filter(uuid__in=[outcome.uuid for outcome in late])
    for found in stored.values("uuid", "id", "participant_id", "reporter_id") if late else ():
        for outcome in late:
            if outcome.uuid == found["uuid"]:
                outcome.result, outcome.id = "exists", found["id"]
                outcome.participant_id = found["participant_id"]
                outcome.reporter_id = found["reporter_id"]
    return outcomes
