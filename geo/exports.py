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
Exporters are the small classes in EXPORTERS, one per format.
"""

import os
import subprocess
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

from django.contrib.gis.db.models import MultiLineStringField
from django.contrib.gis.db.models.functions import Transform
from django.contrib.postgres.aggregates import StringAgg
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from psycopg import sql

from geo.crs import ETRS_TM35FIN, SWEREF99_TM, WEB_MERCATOR, WGS84, UnknownCRS, parse_epsg
from geo.models import District, Municipality
from walks.models import (
    Category,
    LightCondition,
    ParticipantGroup,
    SafetyWalk,
    Status,
    Theme,
    Visibility,
    WalkState,
)
from walks.models import Observation as ObservationModel

OGR2OGR = "/usr/bin/ogr2ogr"
# Coordinate systems a file can be written in; anything else is refused before GDAL runs.
EXPORT_CRS = (WGS84, ETRS_TM35FIN, SWEREF99_TM, WEB_MERCATOR)
LANGUAGES = ("fi", "sv", "en")
# A whole country's observations take seconds; this only stops a stuck export for good.
TIMEOUT_SECONDS = 15 * 60


class BadExportRequest(ValueError):
    """The request cannot be exported as asked; `parameter` names the culprit, if one."""

    def __init__(self, message, parameter=None):
        super().__init__(message)
        self.parameter = parameter


class ExportFailed(RuntimeError):
    """ogr2ogr failed: a server problem, never the caller's."""


# --- What is in each layer ---------------------------------------------------------------

TEXT, NUMBER, BOOLEAN, TIMESTAMP = "text", "number", "boolean", "timestamp"


@dataclass(frozen=True)
class Column:
    name: str  # in every format but the Shapefile
    short: str  # the Shapefile's, at most ten characters
    value: object  # a Django expression, made in the export's language
    kind: str = TEXT


def language() -> str:
    code = (get_language() or "fi")[:2]
    return code if code in LANGUAGES else "fi"


def translated_name(path: str = "") -> Coalesce:
    """name_fi/name_sv/name_en in the active language, falling back like pick_language."""
    order = [language(), *(code for code in LANGUAGES if code != language())]
    return Coalesce(*(NullIf(F(f"{path}name_{code}"), Value("")) for code in order))


def district_name(path: str = ""):
    if language() == "sv":
        return Coalesce(NullIf(F(f"{path}name_sv"), Value("")), F(f"{path}name"))
    return F(f"{path}name")


def label(field: str, choices) -> Case:
    """A choice's label in the active language; blank or unknown values become empty."""
    whens = [When(**{field: value}, then=Value(str(text))) for value, text in choices]
    return Case(*whens, default=Value(None), output_field=CharField())


def text(field: str) -> Cast:
    return Cast(F(field), CharField())


class Layer:
    name = ""
    model = None
    geometry_type = ""
    label_column = ""  # the feature's name in KML
    filters: dict = {}  # filter name -> (queryset, parsed value) -> queryset

    def rows(self, filters: Mapping) -> QuerySet:
        rows = self.model.objects.all()
        for name, value in filters.items():
            if name in self.filters:
                rows = self.filters[name](rows, value)
        return rows

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def geometry(self):
        return F("geom")


class Observations(Layer):
    name = "observations"
    model = ObservationModel
    geometry_type = "POINT"
    label_column = "category"
    filters = {
        "municipality": lambda rows, m: rows.filter(municipality=m),
        "district": lambda rows, d: rows.filter(district=d),
        "category": lambda rows, codes: rows.filter(category__code__in=codes),
        "theme": lambda rows, codes: rows.filter(category__theme__code__in=codes),
        "status": lambda rows, values: rows.filter(status__in=values),
        "walk": lambda rows, w: rows.filter(walk=w),
        "observed_after": lambda rows, t: rows.filter(observed_at__gte=t),
        "observed_before": lambda rows, t: rows.filter(observed_at__lt=t),
        "light": lambda rows, values: rows.filter(light_condition__in=values),
        "positive": lambda rows, yes: rows.filter(is_positive=yes),
    }

    def columns(self):
        # Never the reporter, the participant or anything else that says who logged it.
        return [
            Column("id", "id", F("id"), NUMBER),
            Column("uuid", "uuid", text("uuid")),
            Column("category", "category", translated_name("category__")),
            Column("category_code", "cat_code", F("category__code")),
            Column("theme", "theme", translated_name("category__theme__")),
            Column("status", "status", label("status", Status.choices)),
            Column("severity", "severity", F("severity"), NUMBER),
            Column("perceived_safety", "safety", F("perceived_safety"), NUMBER),
            Column("positive", "positive", F("is_positive"), BOOLEAN),
            Column("light", "light", label("light_condition", LightCondition.choices)),
            Column("description", "descr", F("description")),
            Column("proposed_fix", "proposal", F("proposed_fix")),
            Column("district", "district", district_name("district__")),
            Column("district_id", "distr_id", F("district_id"), NUMBER),
            Column("municipality", "municipal", translated_name("municipality__")),
            Column("municipality_code", "muni_code", F("municipality__code")),
            Column("walk", "walk", F("walk__title")),
            Column("walk_id", "walk_id", F("walk_id"), NUMBER),
            Column("responsible_unit", "unit", translated_name("responsible_unit__")),
            Column("visibility", "visibility", label("visibility", Visibility.choices)),
            Column("accuracy_m", "accuracy_m", F("accuracy_m"), NUMBER),
            Column("observed_at", "observed", F("observed_at"), TIMESTAMP),
            Column("updated_at", "updated", F("updated_at"), TIMESTAMP),
        ]


class Walks(Layer):
    name = "walks"
    model = SafetyWalk
    geometry_type = "MULTILINESTRING"
    label_column = "title"
    filters = {
        "municipality": lambda rows, m: rows.filter(municipality=m),
        "district": lambda rows, d: rows.filter(districts=d),
        "theme": lambda rows, codes: rows.filter(theme__code__in=codes),
        "walk": lambda rows, w: rows.filter(pk=w.pk),
        # A walk counts if any of it falls in the period.
        "observed_after": lambda rows, t: rows.filter(ends_at__gt=t),
        "observed_before": lambda rows, t: rows.filter(starts_at__lt=t),
    }

    def columns(self):
        # Never the join code (it lets anyone log points on the walk) or the participants.
        districts = (
            District.objects.filter(walks=OuterRef("pk"))
            .order_by()
            .values("walks")
            .annotate(names=StringAgg(district_name(), ", ", order_by="name"))
            .values("names")
        )
        observations = (
            ObservationModel.objects.filter(walk=OuterRef("pk"))
            .order_by()
            .values("walk")
            .annotate(n=Count("*"))
            .values("n")
        )
        return [
            Column("id", "id", F("id"), NUMBER),
            Column("title", "title", F("title")),
            Column("municipality", "municipal", translated_name("municipality__")),
            Column("municipality_code", "muni_code", F("municipality__code")),
            Column("districts", "districts", Subquery(districts)),
            Column("theme", "theme", translated_name("theme__")),
            Column("group", "group", label("group", ParticipantGroup.choices)),
            Column("state", "state", label("state", WalkState.choices)),
            Column("starts_at", "starts", F("starts_at"), TIMESTAMP),
            Column("ends_at", "ends", F("ends_at"), TIMESTAMP),
            Column("observations", "obs_count", Coalesce(Subquery(observations), 0), NUMBER),
            Column(
                "recorded",
                "recorded",
                ExpressionWrapper(Q(track__isnull=False), output_field=BooleanField()),
                BOOLEAN,
            ),
            Column("follow_up_notes", "notes", F("follow_up_notes")),
        ]

    def geometry(self):
        # The recorded track where there is one, otherwise the planned route.
        route = Func(F("route"), function="ST_Multi", output_field=MultiLineStringField(srid=4326))
        return Coalesce(F("track"), route, output_field=MultiLineStringField(srid=4326))


class Districts(Layer):
    name = "districts"
    model = District
    geometry_type = "MULTIPOLYGON"
    label_column = "name"
    filters = {
        "municipality": lambda rows, m: rows.filter(municipality=m),
        "district": lambda rows, d: rows.filter(pk=d.pk),
    }

    def columns(self):
        return [
            Column("id", "id", F("id"), NUMBER),
            Column("code", "code", F("code")),
            Column("name", "name", district_name()),
            Column("municipality", "municipal", translated_name("municipality__")),
            Column("municipality_code", "muni_code", F("municipality__code")),
            Column("population", "population", F("population"), NUMBER),
        ]


LAYERS = {layer.name: layer for layer in (Observations(), Walks(), Districts())}
ALL_LAYERS = "all"  # every layer in one file, for formats that hold several


# --- Filters: query-string text in, checked values out ------------------------------------


def _one(model, parameter, **lookup):
    found = model.objects.filter(**lookup).first()
    if found is None:
        value = next(iter(lookup.values()))
        raise BadExportRequest(
            _("%(parameter)s: nothing has the code or id %(value)s.")
            % {"parameter": parameter, "value": value},
            parameter,
        )
    return found


def _id(parameter, value):
    if not value.strip().isdigit():
        raise BadExportRequest(
            _("%(parameter)s must be a number, not %(value)r.")
            % {"parameter": parameter, "value": value},
            parameter,
        )
    return int(value)


def _codes(parameter, value, known):
    codes = [code.strip() for code in value.split(",") if code.strip()]
    unknown = sorted(set(codes) - set(known))
    if not codes or unknown:
        raise BadExportRequest(
            _("%(parameter)s: unknown value %(value)s. Known: %(known)s.")
            % {
                "parameter": parameter,
                "value": ", ".join(unknown) or "''",
                "known": ", ".join(sorted(known)),
            },
            parameter,
        )
    return codes


def _moment(parameter, value):
    try:
        moment = parse_datetime(value)
        day = None if moment else parse_date(value)
    except ValueError:
        moment = day = None
    if day:
        moment = datetime.combine(day, time())
    if moment is None:
        raise BadExportRequest(
            _(
                "%(parameter)s must be a date or a time like 2026-11-23 or "
                "2026-11-23T18:00, not %(value)r."
            )
            % {"parameter": parameter, "value": value},
            parameter,
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _yes_no(parameter, value):
    answer = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
    if value.lower() not in answer:
        raise BadExportRequest(
            _("%(parameter)s must be true or false, not %(value)r.")
            % {"parameter": parameter, "value": value},
            parameter,
        )
    return answer[value.lower()]


def _codes_of(model):
    return lambda p, v: _codes(p, v, model.objects.values_list("code", flat=True))


PARSERS = {
    "municipality": lambda p, v: _one(Municipality, p, code=v.strip()),
    "district": lambda p, v: _one(District, p, pk=_id(p, v)),
    "category": _codes_of(Category),
    "theme": _codes_of(Theme),
    "status": lambda p, v: _codes(p, v, Status.values),
    "walk": lambda p, v: _one(SafetyWalk, p, pk=_id(p, v)),
    "observed_after": _moment,
    "observed_before": _moment,
    "light": lambda p, v: _codes(p, v, LightCondition.values),
    "positive": _yes_no,
}


def layers_of(layer: str) -> list[Layer]:
    return list(LAYERS.values()) if layer == ALL_LAYERS else [LAYERS[layer]]


def parse_filters(layer: str, params: Mapping[str, str]) -> dict:
    """Check query-string filters for a layer (or "all"); unknown names are refused."""
    accepted = {name for each in layers_of(layer) for name in each.filters}
    filters = {}
    for name, value in params.items():
        if name not in PARSERS:
            raise BadExportRequest(
                _("Unknown parameter %(name)r. Exports take: %(known)s.")
                % {"name": name, "known": ", ".join(["crs", "lang", *PARSERS])},
                name,
            )
        if name not in accepted:
            raise BadExportRequest(
                _("%(name)s does not filter %(layer)s.") % {"name": name, "layer": layer}, name
            )
        filters[name] = PARSERS[name](name, value)
    return filters


# --- Formats -------------------------------------------------------------------------------


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
            # A cell starting with = + - @ tab or CR is a formula to a spreadsheet: an
            # apostrophe in front makes it text again.
            return sql.SQL("regexp_replace({}, {}, {})").format(
                value, sql.Literal("^([-=+@\t\r])"), sql.Literal("'\\1")
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


# --- Running it ------------------------------------------------------------------------------


def select_sql(layer: Layer, rows: QuerySet, exporter: Export, srid: int) -> str:
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


def export(layer: str, fmt: str, rows_or_filters, srid: int, path, *, lang=None) -> Path:
    """Write `layer` ("all" for every layer, GeoPackage only) as `fmt` in EPSG:`srid` to path.

    rows_or_filters is a QuerySet of the layer's model, or filters: parsed ones from
    parse_filters, or query-string text like {"municipality": "285"}.
    """
    exporter = EXPORTERS[fmt]
    layers = layers_of(layer)
    if len(layers) > 1 and not exporter.holds_many_layers:
        raise BadExportRequest(_("Only GeoPackage holds several layers in one file."))
    if srid not in EXPORT_CRS or (exporter.wgs84_only and srid != WGS84):
        raise BadExportRequest(
            _("%(format)s cannot be written in EPSG:%(srid)s.") % {"format": fmt, "srid": srid},
            "crs",
        )
    if isinstance(rows_or_filters, QuerySet):
        if len(layers) > 1 or rows_or_filters.model is not layers[0].model:
            raise ValueError(f"{layer} is exported from {layers[0].model.__name__} rows.")
        sources = [(layers[0], rows_or_filters)]
    else:
        filters = {
            name: parse_filters(layer, {name: value})[name] if isinstance(value, str) else value
            for name, value in rows_or_filters.items()
        }
        sources = [(each, each.rows(filters)) for each in layers]
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
