# SPDX-License-Identifier: EUPL-1.2
"""Formats: one small class each, registered in EXPORTERS. Each says how its columns are
named and rendered in SQL and how ogr2ogr writes the file."""

import tempfile
import zipfile
from pathlib import Path

from django.utils.translation import gettext as _
from psycopg import sql

from analysis.exports.filters import BadExportRequest
from analysis.exports.layers import TEXT, TIMESTAMP, Column, Layer
from analysis.exports.ogr import ogr2ogr
from geo.crs import ETRS_TM35FIN, SWEREF99_TM, WEB_MERCATOR, WGS84, UnknownCRS, parse_epsg

# Coordinate systems a file can be written in; anything else is refused before GDAL runs.
EXPORT_CRS = (WGS84, ETRS_TM35FIN, SWEREF99_TM, WEB_MERCATOR)


class Export:
    driver = ""
    extension = ""
    content_type = ""
    wgs84_only = False  # the format is defined in longitude/latitude
    national_by_default = False  # GIS formats open in the municipality's own CRS
    holds_many_layers = False
    options: tuple = ()

    def default_srid(self, municipality=None) -> int:
        if self.national_by_default and municipality is not None:
            return municipality.national_srid
        return WGS84

    def column_name(self, column: Column) -> str:
        return column.name

    def render(self, column: Column, value: sql.Composable) -> sql.Composable:
        return value

    def extra_columns(self, srid: int) -> list[sql.Composable]:
        return []

    def write(self, sources: list[tuple[Layer, Path]], srid: int, path: Path) -> None:
        for number, (layer, sql_file) in enumerate(sources):
            ogr2ogr(self.driver, path, layer, sql_file, srid, self.options, update=number > 0)


class GeoJSONExport(Export):
    driver = "GeoJSON"
    extension = "geojson"
    content_type = "application/geo+json"
    wgs84_only = True
    # RFC 7946: longitude/latitude, no "crs" member, right-hand polygons.
    options = ("-lco", "RFC7946=YES")


class GeoPackageExport(Export):
    driver = "GPKG"
    extension = "gpkg"
    content_type = "application/geopackage+sqlite3"
    national_by_default = True
    holds_many_layers = True
    options = ("-lco", "GEOMETRY_NAME=geom")


def _iso_text(value):
    # For formats without a date-time type: ISO 8601 in UTC, like every other format here.
    return sql.SQL("""to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')""").format(value)


class CSVExport(Export):
    driver = "CSV"
    extension = "csv"
    content_type = "text/csv; charset=utf-8"
    # WKT geometry as the first column; the BOM makes spreadsheets read UTF-8 (ä, ö, å).
    options = ("-lco", "GEOMETRY=AS_WKT", "-lco", "WRITE_BOM=YES")

    def render(self, column, value):
        if column.kind == TIMESTAMP:
            return _iso_text(value)
        if column.kind == TEXT:
            # A cell starting with = + - @ tab CR or LF is a formula to a spreadsheet: an
            # apostrophe in front makes it text again. The control characters are spelled as
            # regular-expression escapes: ogr2ogr reads the SQL as text and would not keep
            # them (a tab became a space, and a CR vanished).
            return sql.SQL("regexp_replace({}, {}, {})").format(
                value, sql.Literal(r"^([-=+@\t\r\n])"), sql.Literal("'\\1")
            )
        return value

    def extra_columns(self, srid):
        # A point on the feature (the observation's point itself) in the export's CRS.
        x, y = ("lon", "lat") if srid == WGS84 else ("x", "y")
        return [
            sql.SQL('ST_X(ST_PointOnSurface("g")) AS {}').format(sql.Identifier(x)),
            sql.SQL('ST_Y(ST_PointOnSurface("g")) AS {}').format(sql.Identifier(y)),
        ]


class KMLExport(Export):
    driver = "KML"
    extension = "kml"
    content_type = "application/vnd.google-earth.kml+xml"
    wgs84_only = True
    # KML's own <visibility> means shown or hidden (1/0): GDAL, and so QGIS, reads a field
    # of that name as that, and every observation's public or internal became 0.
    renamed = {"visibility": "audience"}

    def column_name(self, column):
        return self.renamed.get(column.name, column.name)

    def render(self, column, value):
        return _iso_text(value) if column.kind == TIMESTAMP else value

    def write(self, sources, srid, path):
        (layer, sql_file) = sources[0]
        name = ("-dsco", f"NameField={layer.label_column}")
        ogr2ogr(self.driver, path, layer, sql_file, srid, name)


class ShapefileExport(Export):
    driver = "ESRI Shapefile"
    extension = "shp.zip"
    content_type = "application/zip"
    national_by_default = True
    # UTF-8 in the .dbf, said in the .cpg; text fields only as wide as their longest value.
    options = ("-lco", "ENCODING=UTF-8", "-lco", "RESIZE=YES")

    def column_name(self, column):
        return column.short

    def render(self, column, value):
        return _iso_text(value) if column.kind == TIMESTAMP else value

    def write(self, sources, srid, path):
        (layer, sql_file) = sources[0]
        with tempfile.TemporaryDirectory() as folder:
            shp = Path(folder) / f"{layer.name}.shp"
            ogr2ogr(self.driver, shp, layer, sql_file, srid, self.options)
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                for part in sorted(Path(folder).iterdir()):
                    archive.write(part, part.name)


EXPORTERS = {
    "geojson": GeoJSONExport(),
    "gpkg": GeoPackageExport(),
    "csv": CSVExport(),
    "kml": KMLExport(),
    "shp.zip": ShapefileExport(),
}


def choose_srid(fmt: str, crs: str | None, municipality=None) -> int:
    """The EPSG code to write in: the caller's, if allowed, else the format's default."""
    exporter = EXPORTERS[fmt]
    if crs is None:
        return exporter.default_srid(municipality)
    try:
        srid = parse_epsg(crs)
    except UnknownCRS as error:
        raise BadExportRequest(str(error), "crs") from None
    if srid not in EXPORT_CRS:
        raise BadExportRequest(
            _("Exports are written in %(codes)s, not EPSG:%(srid)s.")
            % {"codes": ", ".join(f"EPSG:{code}" for code in EXPORT_CRS), "srid": srid},
            "crs",
        )
    if exporter.wgs84_only and srid != WGS84:
        raise BadExportRequest(
            _(
                "%(format)s is always EPSG:4326 (longitude/latitude). "
                "For EPSG:%(srid)s ask for gpkg, shp.zip or csv."
            )
            % {"format": fmt, "srid": srid},
            "crs",
        )
    return srid
