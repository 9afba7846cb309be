# SPDX-License-Identifier: EUPL-1.2
"""Running ogr2ogr: the SELECT it reads, the connection it reads from, the command."""

import os
import subprocess
from typing import TYPE_CHECKING

from django.contrib.gis.db.models.functions import Transform
from django.db import connection
from django.db.models import QuerySet
from psycopg import sql

from analysis.exports.layers import Layer

if TYPE_CHECKING:  # formats runs ogr2ogr, so it cannot be imported here
    from analysis.exports.formats import Export

OGR2OGR = "/usr/bin/ogr2ogr"
# A whole country's observations take seconds; this only stops a stuck export for good.
TIMEOUT_SECONDS = 15 * 60


class ExportFailed(RuntimeError):
    """ogr2ogr failed: a server problem, never the caller's."""


def select_sql(layer: Layer, rows: QuerySet, exporter: "Export", srid: int) -> str:
    """The SELECT ogr2ogr runs: Django's query, bound, wrapped to name and render columns."""
    columns = layer.columns()
    inner = rows.order_by().values(
        **{f"c{number}": column.value for number, column in enumerate(columns)},
        g=Transform(layer.geometry(), srid),
    )
    bound = connection.ops.compose_sql(*inner.query.sql_with_params())
    outer = [
        sql.SQL("{} AS {}").format(
            exporter.render(column, sql.Identifier(f"c{number}")),
            sql.Identifier(exporter.column_name(column)),
        )
        for number, column in enumerate(columns)
    ]
    query = sql.SQL('SELECT {columns} FROM ({rows}) AS export ORDER BY "c0"').format(
        columns=sql.SQL(", ").join(
            [*exporter.extra_columns(srid), *outer, sql.SQL('"g" AS "geom"')]
        ),
        rows=sql.SQL(bound),
    )
    connection.ensure_connection()
    return query.as_string(connection.connection)


def pg_datasource() -> tuple[str, dict]:
    """The libpq connection string for GDAL's "PG:" and the environment with the password."""
    db = connection.settings_dict
    parts = {"dbname": db["NAME"], "host": db["HOST"], "port": db["PORT"], "user": db["USER"]}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        parts[key] = (db.get("OPTIONS") or {}).get(key)

    def quoted(value):
        return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"

    text = " ".join(f"{key}={quoted(value)}" for key, value in parts.items() if value)
    env = {
        **os.environ,
        # Times leave the database in UTC: GeoPackage requires it, and one rule for all
        # formats means a spreadsheet and a GIS layer of the same export agree.
        "PGTZ": "UTC",
        "PGCLIENTENCODING": "UTF8",
        "PGAPPNAME": "lyhty-export",
    }
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return f"PG:{text}", env


def ogr2ogr(driver, path, layer, sql_file, srid, options=(), *, update=False):
    datasource, env = pg_datasource()
    command = [
        OGR2OGR,
        *(["-update"] if update else []),
        "-f",
        driver,
        str(path),
        datasource,
        "-sql",
        f"@{sql_file}",
        "-nln",
        layer.name,
        "-nlt",
        layer.geometry_type,
        "-a_srs",
        f"EPSG:{int(srid)}",
        *options,
    ]
    done = subprocess.run(  # noqa: S603  fixed binary, no shell, checked values only
        command, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS
    )
    if done.returncode != 0:
        raise ExportFailed(f"ogr2ogr {driver} {layer.name} failed: {done.stderr.strip()}")
