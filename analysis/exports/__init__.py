# SPDX-License-Identifier: EUPL-1.2
"""Exports for planners: observations, walks and districts as files for GIS tools.

How a file is made: Django builds the SELECT (filters, joins, names in the reader's
language) and psycopg binds its parameters as SQL literals (`connection.ops.compose_sql`,
psycopg's own quoting; every value was also checked against the database first). An outer
SELECT gives the columns their names in the format and renders what the format needs
(Shapefile names of ten characters, CSV coordinates and formula-safe text). The ogr2ogr
command-line tool runs that SQL through its PostgreSQL driver, which reads with a cursor,
and writes the file: rows never pass through Python, and no second GDAL build is loaded
into our process.

PostGIS reprojects (ST_Transform to an EPSG code from EXPORT_CRS); GDAL only stamps the
same code on the file. Times are UTC in every format (ISO 8601 text where the format has no
date-time type). Shapefile text stops at 254 bytes, as the DBF format does.

Where things are: layers.py (what each layer holds), filters.py (query-string filters),
formats.py (the small classes in EXPORTERS, one per format), ogr.py (running ogr2ogr);
`export()` below ties them together.
"""

import tempfile
from pathlib import Path

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import override

from analysis.exports.filters import BadExportRequest, parse_filters
from analysis.exports.formats import EXPORT_CRS, EXPORTERS, Export, choose_srid
from analysis.exports.layers import ALL_LAYERS, LANGUAGES, LAYERS, Layer, language, layers_of
from analysis.exports.ogr import ExportFailed, ogr2ogr, pg_datasource, select_sql
from geo.crs import WGS84

__all__ = [
    "ALL_LAYERS",
    "EXPORTERS",
    "EXPORT_CRS",
    "LANGUAGES",
    "LAYERS",
    "BadExportRequest",
    "Export",
    "ExportFailed",
    "Layer",
    "check_format",
    "choose_srid",
    "export",
    "ogr2ogr",
    "parse_filters",
    "pg_datasource",
    "select_sql",
    "write",
]


def export(
    layer: str, fmt: str, rows_or_filters, srid: int, path, *, lang=None, municipalities=None
) -> Path:
    """Write `layer` ("all" for every layer, GeoPackage only) as `fmt` in EPSG:`srid` to path.

    rows_or_filters is a QuerySet of the layer's model, or filters: parsed ones from
    parse_filters, or query-string text like {"municipality": "285"}. `municipalities`:
    the ids of the only municipalities whose rows are written (None: all), the caller's
    (walks.roles.municipalities_of).
    """
    exporter = EXPORTERS[fmt]
    layers = layers_of(layer)
    check_format(exporter, fmt, len(layers), srid)
    if isinstance(rows_or_filters, QuerySet):
        if len(layers) > 1 or rows_or_filters.model is not layers[0].model:
            raise ValueError(f"{layer} is exported from {layers[0].model.__name__} rows.")
        sources = [(layers[0], rows_or_filters)]
        if municipalities is not None:
            sources = [(layers[0], rows_or_filters.filter(municipality__in=municipalities))]
    else:
        filters = {
            name: parse_filters(layer, {name: value})[name] if isinstance(value, str) else value
            for name, value in rows_or_filters.items()
        }
        sources = [(each, each.rows(filters, municipalities)) for each in layers]
    return write(sources, exporter, srid, path, lang=lang)


def check_format(exporter: Export, fmt: str, layer_count: int, srid: int) -> None:
    """BadExportRequest unless the format holds that many layers in that CRS."""
    if layer_count > 1 and not exporter.holds_many_layers:
        raise BadExportRequest(_("Only GeoPackage holds several layers in one file."))
    if srid not in EXPORT_CRS or (exporter.wgs84_only and srid != WGS84):
        raise BadExportRequest(
            _("%(format)s cannot be written in EPSG:%(srid)s.") % {"format": fmt, "srid": srid},
            "crs",
        )


def write(sources: list[tuple[Layer, QuerySet]], exporter: Export, srid: int, path, *, lang=None):
    """Each (layer, rows) through its SELECT and ogr2ogr into one file at path."""
    path = Path(path)
    path.unlink(missing_ok=True)  # ogr2ogr would add to an existing file
    with override(lang or language()), tempfile.TemporaryDirectory() as folder:
        sql_files = []
        for each, rows in sources:
            sql_file = Path(folder) / f"{each.name}.sql"
            sql_file.write_text(select_sql(each, rows, exporter, srid), encoding="utf-8")
            sql_files.append((each, sql_file))
        exporter.write(sql_files, srid, path)
    return path
