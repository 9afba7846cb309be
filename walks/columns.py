# SPDX-License-Identifier: EUPL-1.2
"""The observation columns that Lyhty's two hand-written INSERTs fill, and their SQL types.

Both the API's batch insert (walks.services, from jsonb_to_recordset) and the set-based
loader (walks.bulk, from a COPY staging table) name their columns and types from
OBSERVATION_COLUMNS, so a new or changed column is written down once. Geometry,
duplicate_of and the time stamps each writer fills its own way.
"""

from walks.models import Observation

# Model field → SQL type of the value as it arrives.
OBSERVATION_COLUMNS = {
    "uuid": "uuid",
    "municipality": "bigint",
    "walk": "bigint",
    "participant": "bigint",
    "reporter": "integer",
    "category": "bigint",
    "responsible_unit": "bigint",
    "accuracy_m": "float8",
    "position_source": "text",
    "source": "text",
    "severity": "smallint",
    "perceived_safety": "smallint",
    "is_positive": "boolean",
    "light_condition": "text",
    "description": "text",
    "proposed_fix": "text",
    "status": "text",
    "visibility": "text",
    "observed_at": "timestamptz",
    "created_at": "timestamptz",
    "updated_at": "timestamptz",
}


def column(field: str) -> str:
    """The database column of a field: `category` → `category_id`."""
    return Observation._meta.get_field(field).column


def columns(fields) -> str:
    """ "col, col, …" of the fields."""
    return ", ".join(column(field) for field in fields)


def typed_columns(fields) -> str:
    """ "col type, col type, …" of the fields, for a record or a table definition."""
    return ", ".join(f"{column(field)} {OBSERVATION_COLUMNS[field]}" for field in fields)
