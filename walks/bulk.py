# SPDX-License-Identifier: EUPL-1.2
"""The set-based write path for many observations at once.

`insert_observations` COPYs rows made in Python into a temporary staging table and moves
them into walks_observation by one INSERT … SELECT, in which PostGIS transforms the points
to EPSG:4326 and the trigger of walks 0002 assigns the districts. A UUID seen before is
skipped (ON CONFLICT DO NOTHING), so every load is safe to repeat. `manage.py load_demo`
and `manage.py generate_observations` both write through it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from django.db import connection, transaction

from walks.columns import column, columns, typed_columns


class ObservationRow(NamedTuple):
    """One observation on its way in; x and y are in the CRS given to insert_observations."""

    uuid: UUID
    x: float
    y: float
    category_id: int
    status: str
    visibility: str
    is_positive: bool
    light_condition: str
    position_source: str
    observed_at: datetime
    created_at: datetime
    updated_at: datetime
    walk_id: int | None = None
    severity: int | None = None
    perceived_safety: int | None = None
    accuracy_m: float | None = None
    responsible_unit_id: int | None = None
    # The UUID of the original, loaded before or alongside; set if and only if the status
    # is duplicate, and the original is not itself a duplicate loaded alongside.
    duplicate_of: UUID | None = None
    # walks.models.Source: a load is an import unless its maker says otherwise.
    source: str = "import"


# The columns of ObservationRow copied as they are (their types: walks.columns); x, y and
# duplicate_of are worked out in the INSERT.
_FIELDS = [
    "uuid",
    "category",
    "status",
    "visibility",
    "is_positive",
    "light_condition",
    "position_source",
    "source",
    "observed_at",
    "created_at",
    "updated_at",
    "walk",
    "severity",
    "perceived_safety",
    "accuracy_m",
    "responsible_unit",
]
_CREATE_STAGING = f"""
CREATE TEMP TABLE lyhty_observation_staging (
    x float8 NOT NULL, y float8 NOT NULL, duplicate_of uuid, {typed_columns(_FIELDS)}
)
"""
_DROP_STAGING = "DROP TABLE IF EXISTS lyhty_observation_staging"
_COPY_STAGING = f"COPY lyhty_observation_staging ({', '.join(ObservationRow._fields)}) FROM STDIN"
# Originals first, duplicates in a second statement: a statement does not see its own rows,
# and a duplicate needs its original's id. Rows are inserted in the order of their position
# on a coarse grid, so that neighbours land on neighbouring index pages.
_INSERT = f"""
WITH inserted AS (
    INSERT INTO walks_observation (
        {columns(_FIELDS)}, municipality_id, geom, duplicate_of_id, description, proposed_fix
    )
    SELECT
        {", ".join(f"s.{column(field)}" for field in _FIELDS)}, %(municipality)s,
        ST_Transform(ST_SetSRID(ST_MakePoint(s.x, s.y), %(srid)s), 4326),
        CASE WHEN s.duplicate_of IS NOT NULL THEN
            (SELECT o.id FROM walks_observation o WHERE o.uuid = s.duplicate_of)
        END,
        '', ''
    FROM lyhty_observation_staging s
    WHERE (s.duplicate_of IS NULL) = %(originals)s
    ORDER BY floor(s.x / 1000), floor(s.y / 1000)
    ON CONFLICT (uuid) DO NOTHING
    RETURNING id, uuid, district_id
)
"""
_COUNT_INSERTED = _INSERT + "SELECT count(*), count(district_id) FROM inserted"
_LIST_INSERTED = _INSERT + "SELECT id, uuid, district_id FROM inserted"


def _check_duplicate(row: ObservationRow) -> None:
    """The database's rule (observation_duplicate_names_original), said before the COPY.

    A named original that is neither in the database nor among the rows is refused by the
    database itself; either way the whole call is rolled back."""
    if (row.status == "duplicate") != (row.duplicate_of is not None):
        raise ValueError(
            f"Observation {row.uuid}: a duplicate names its original (duplicate_of), and "
            f"only a duplicate names one; this one has status {row.status!r} and "
            f"duplicate_of {row.duplicate_of}."
        )


@dataclass
class InsertResult:
    inserted: int = 0
    with_district: int = 0
    ids: dict[UUID, int] = field(default_factory=dict)  # only when asked for


def insert_observations(
    rows: Iterable[ObservationRow], *, municipality_id: int, srid: int, keep_ids: bool = False
) -> InsertResult:
    """COPY the rows into a staging table and move them into walks_observation in one go.

    Rows whose UUID is already there are skipped. With keep_ids, the result maps each new
    row's UUID to its id (for the demo's history); without, only the counts come back.
    """
    result = InsertResult()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_DROP_STAGING)
        cursor.execute(_CREATE_STAGING)
        with cursor.copy(_COPY_STAGING) as copy:
            for row in rows:
                _check_duplicate(row)
                copy.write_row(row)
        # Row counts for the planner: without them it guesses, and compiles JIT for nothing.
        cursor.execute("ANALYZE lyhty_observation_staging")
        for originals in (True, False):
            params = {"municipality": municipality_id, "srid": srid, "originals": originals}
            if keep_ids:
                cursor.execute(_LIST_INSERTED, params)
                for pk, row_uuid, district_id in cursor.fetchall():
                    result.ids[row_uuid] = pk
                    result.inserted += 1
                    result.with_district += district_id is not None
            else:
                cursor.execute(_COUNT_INSERTED, params)
                inserted, with_district = cursor.fetchone()
                result.inserted += inserted
                result.with_district += with_district
        cursor.execute(_DROP_STAGING)
    return result
