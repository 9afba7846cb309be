# SPDX-License-Identifier: EUPL-1.2
"""Workflows that span several models: receiving a batch of observations.

A phone on a poor network retries; every retry must be safe. Each observation carries the
UUID its client made, and a batch goes to PostGIS as one statement whatever its size: the
batch travels as one JSON object of typed columns, and the statement places every point
in its municipality and inserts the valid ones with `ON CONFLICT (uuid) DO NOTHING`. Those
stored before (a retry) are looked up afterwards, in one more query only when there are
any. The district and address triggers (walks 0002, 0008) run on that insert.
"""

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from walks.columns import OBSERVATION_COLUMNS, columns
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


# The municipality of the point i.pt given as i: the given one if the point is in it (or
# ≤ MAX_OUTSIDE_M outside), else the one holding the point, else none. Most points lie
# inside the municipality given, so that one is tested first, by its key; only the rest
# are searched by the index and measured on the spheroid. Parameters: the margin in
# degrees (for the index), then in metres.
_PLACED = """coalesce(
    (SELECT m.id FROM {municipality} m WHERE m.id = i.municipality AND ST_Covers(m.geom, i.pt)),
    (
        SELECT m.id FROM {municipality} m
        WHERE (i.municipality IS NULL OR m.id = i.municipality)
          AND m.geom && ST_Expand(i.pt, %s / greatest(cos(radians(i.lat)), 0.01))
          AND (ST_Covers(m.geom, i.pt) OR ST_DWithin(m.geom::geography, i.pt::geography, %s))
        ORDER BY ST_Covers(m.geom, i.pt) DESC, m.id
        LIMIT 1
    )
)"""

_PLACE = f"""
SELECT i.n, {_PLACED}
FROM (
    SELECT r.*, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326) AS pt
    FROM jsonb_to_recordset(%s::jsonb) AS r(n int, lon float8, lat float8, municipality bigint)
) AS i
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
# The batch as it goes to PostgreSQL, one array per column: the point, the stretch as
# GeoJSON text, the municipality the caller gave, then _FIELDS.
_BATCH_COLUMNS = {
    "lon": "float8",
    "lat": "float8",
    "stretch": "text",
    "municipality": "bigint",
    **{field: OBSERVATION_COLUMNS[field] for field in _FIELDS},
}


def _submit_sql() -> str:
    """Place and insert a whole batch in one statement. One row: each item's municipality
    (null: nowhere it may be) and the id it was given, in item order, then the ids this
    statement stored; an item whose id is not among them was stored before (a retry).
    Parameters: the margins of _PLACED, the batch (_batch), the municipalities the caller
    may add to (null: any)."""
    from geo.models import Municipality

    table = Observation._meta.db_table
    placed = _PLACED.format(municipality=Municipality._meta.db_table)
    arrays = ", ".join(f"{name} {kind}[]" for name, kind in _BATCH_COLUMNS.items())
    return f"""
-- Each item takes its id from the table's sequence here, so that what was stored is known
-- by id alone: no join of the stored rows back to the batch by UUID.
WITH placed AS MATERIALIZED (
    SELECT i.*, {placed} AS placed,
           nextval((SELECT pg_get_serial_sequence('{table}', 'id')::regclass)) AS id
    FROM (
        SELECT b.*, ST_SetSRID(ST_MakePoint(b.lon, b.lat), 4326) AS pt
        FROM jsonb_to_record(%s::jsonb) AS batch({arrays})
        CROSS JOIN LATERAL unnest({", ".join(f"batch.{name}" for name in _BATCH_COLUMNS)})
             WITH ORDINALITY AS b({", ".join(_BATCH_COLUMNS)}, n)
    ) AS i
),
inserted AS (
    INSERT INTO {table} (id, {columns(_FIELDS)}, municipality_id, geom, stretch,
                         created_at, updated_at)
    SELECT i.id, {", ".join(f"i.{field}" for field in _FIELDS)}, i.placed,
           CASE WHEN i.stretch IS NULL THEN i.pt
                ELSE ST_LineInterpolatePoint(
                    ST_SetSRID(ST_GeomFromGeoJSON(i.stretch), 4326), 0.5)
           END,
           ST_SetSRID(ST_GeomFromGeoJSON(i.stretch), 4326),
           now(), now()
    FROM placed AS i
    WHERE i.placed = ANY(coalesce(%s::bigint[], ARRAY[i.placed]))
    -- The first of two items with one UUID is the one stored.
    ORDER BY i.n
    ON CONFLICT (uuid) DO NOTHING
    RETURNING id
)
SELECT array_agg(i.placed ORDER BY i.n), array_agg(i.id ORDER BY i.n),
       (SELECT array_agg(id) FROM inserted)
FROM placed AS i
"""


def _batch(items: list[NewObservation]) -> str:
    """The items as one JSON object of columns (_BATCH_COLUMNS), each an array in item
    order: no key repeated per item, and PostgreSQL reads each array straight into its
    type (jsonb_to_record)."""
    now = timezone.now().isoformat()
    categories = [item.category for item in items]
    values = {
        "lon": [item.lon for item in items],
        "lat": [item.lat for item in items],
        "stretch": [None if item.stretch is None else json.dumps(item.stretch) for item in items],
        "municipality": [item.municipality_id for item in items],
        "uuid": [str(item.uuid) for item in items],
        "walk": [item.walk_id for item in items],
        "participant": [item.participant_id for item in items],
        "reporter": [item.reporter_id for item in items],
        "accuracy_m": [item.accuracy_m for item in items],
        "position_source": [item.position_source for item in items],
        "source": [item.source for item in items],
        "category": [category.id for category in categories],
        "severity": [item.severity for item in items],
        "perceived_safety": [item.perceived_safety for item in items],
        "is_positive": [
            category.is_positive if item.is_positive is None else item.is_positive
            for item, category in zip(items, categories, strict=True)
        ],
        "light_condition": [item.light_condition for item in items],
        "description": [item.description for item in items],
        "proposed_fix": [item.proposed_fix for item in items],
        "status": [Status.NEW] * len(items),
        "visibility": [
            item.visibility or (Visibility.INTERNAL if category.is_sensitive else Visibility.PUBLIC)
            for item, category in zip(items, categories, strict=True)
        ],
        "observed_at": [
            now if item.observed_at is None else item.observed_at.isoformat() for item in items
        ],
    }
    return json.dumps(values)


def submit_observations(items: list[NewObservation], *, within=None) -> list[Outcome]:
    """Store the items that are new, recognise those already stored; one outcome each.
    `within`: the ids of the municipalities the caller may add to (None: any); an item
    placed elsewhere is rejected.

    Whatever the batch size this is one statement (_submit_sql) that places and inserts,
    and a second query only for items stored before. Items are expected to be valid
    otherwise (the API checks each one first).
    """
    if not items:
        return []
    allowed = None if within is None else sorted(within)
    with connection.cursor() as cursor:
        cursor.execute(_submit_sql(), [*_margins(), _batch(items), allowed])
        places, ids, stored_ids = cursor.fetchone()
    stored_ids = set(stored_ids or ())
    outcomes, stored_before = [], []
    created = {}  # UUID → id, of the items this batch stored
    for item, placed, id_ in zip(items, places, ids, strict=True):
        outcome = Outcome(uuid=item.uuid, result="rejected")
        outcomes.append(outcome)
        if placed is None:
            outcome.errors = {"geometry": [OUTSIDE_MUNICIPALITY]}
        elif within is not None and placed not in within:
            outcome.errors = {"municipality": [NOT_YOUR_MUNICIPALITY]}
        elif id_ in stored_ids:
            created[item.uuid] = id_
            outcome.result, outcome.id = "created", id_
        elif item.uuid in created:
            # A repeat in the same batch finds the one stored just before it.
            outcome.result, outcome.id = "exists", created[item.uuid]
            outcome.participant_id, outcome.reporter_id = item.participant_id, item.reporter_id
        else:
            # Stored before, or by another request (a phone's retry) that committed while
            # this statement ran (the insert waited for it): looked up below.
            stored_before.append(outcome)
    if stored_before:
        found = Observation.objects.filter(uuid__in=[outcome.uuid for outcome in stored_before])
        owners = {
            row[0]: row[1:]
            for row in found.values_list("uuid", "id", "participant_id", "reporter_id")
        }
        for outcome in stored_before:
            if outcome.uuid in owners:
                outcome.result = "exists"
                outcome.id, outcome.participant_id, outcome.reporter_id = owners[outcome.uuid]
    return outcomes
