# SPDX-License-Identifier: EUPL-1.2
"""Importing municipality and district boundaries from GIS files.

GDAL reads the file (attributes, and geometry as WKB in the file's own CRS); PostGIS does
the spatial work in one transaction: reprojection to EPSG:4326, the validity check, repair,
Polygon → MultiPolygon, and the upsert. Anything wrong with the file raises BoundaryImportError
naming the file, the feature and the problem, and nothing is written.
"""

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.gis.gdal import DataSource, GDALException, SRSException
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from geo.crs import NATIONAL_CRS, WGS84, UnknownCRS, parse_epsg
from geo.models import District, Municipality

PROGRESS_EVERY = 100

# GeoJSON without a "crs" member is longitude/latitude (RFC 7946); GDAL says so itself.
# TopoJSON declares no CRS at all, and in practice it is longitude/latitude too.
LONLAT_DRIVERS = {"GeoJSON", "TopoJSON"}


class BoundaryImportError(Exception):
    """The file cannot be imported as it is; the message says where and why."""


@dataclass
class Repair:
    feature: int
    name: str
    reason: str

    def __str__(self):
        return _("feature %(number)d (%(name)s): %(reason)s") % {
            "number": self.feature,
            "name": self.name,
            "reason": self.reason,
        }


@dataclass
class Outside:
    """A district of the file that lies mostly outside its municipality's boundary."""

    feature: int
    name: str
    inside: float  # the share of its area inside, 0–1

    def __str__(self):
        return _("feature %(number)d (%(name)s), %(percent)d %% inside") % {
            "number": self.feature,
            "name": self.name,
            "percent": round(self.inside * 100),
        }


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    source_srid: int = WGS84
    repairs: list[Repair] = field(default_factory=list)
    reassigned: int = 0
    not_in_file: list[str] = field(default_factory=list)
    outside: list[Outside] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated


class BoundaryFile:
    """One polygon layer of a GIS file, read with GDAL."""

    def __init__(self, path, *, layer=None, source_crs=None):
        self.path = str(path)
        if not Path(self.path).exists():
            raise self.error(_("there is no such file."))
        try:
            # Latin-1 maps every byte to one character, so the bytes can be recovered and
            # decoded properly in _text(): files come in UTF-8, UTF-8 with BOM and Latin-1.
            self.source = DataSource(self.path, encoding="latin-1")
        except GDALException:
            raise self.error(
                _("GDAL cannot read this file (GeoJSON, GeoPackage, Shapefile or TopoJSON).")
            ) from None
        self.layer = self._pick_layer(layer)
        self.fields = [_text(name) for name in self.layer.fields]
        self.srid = self._source_srid(source_crs)

    def error(self, message, feature=None, name=None):
        if feature is None:
            return BoundaryImportError(f"{self.path}: {message}")
        where = _("feature %(number)d") % {"number": feature}
        if name:
            where += f" ({name})"
        return BoundaryImportError(f"{self.path}: {where}: {message}")

    def off_the_earth(self, feature, name):
        """The error for a feature whose reprojected coordinates are not longitude/latitude."""
        return self.error(
            _(
                "its coordinates are outside longitude and latitude when read as EPSG:%(srid)d; "
                "give the file's coordinate system with --source-crs EPSG:N."
            )
            % {"srid": self.srid},
            feature,
            name,
        )

    def _pick_layer(self, name):
        names = [layer.name for layer in self.source]
        if name is not None:
            if name not in names:
                raise self.error(
                    _("there is no layer %(layer)r; the layers are: %(layers)s.")
                    % {"layer": name, "layers": ", ".join(names)}
                )
            return self.source[name]
        if len(names) != 1:
            raise self.error(
                _("choose one of its layers with --layer: %(layers)s.")
                % {"layers": ", ".join(names) or "-"}
            )
        return self.source[0]

    def _source_srid(self, source_crs):
        if source_crs:
            try:
                return parse_epsg(source_crs)
            except UnknownCRS as error:
                raise self.error(str(error)) from None
        srs = self.layer.srs
        if srs is None and self.source.driver.name in LONLAT_DRIVERS:
            return WGS84
        if srs is not None and srs.auth_name(None) != "EPSG":
            with contextlib.suppress(GDALException, SRSException):  # then it stays unknown
                srs.identify_epsg()
        if srs is None or srs.auth_name(None) != "EPSG" or srs.srid is None:
            raise self.error(
                _(
                    "cannot tell which coordinate system it is in; "
                    "give it with --source-crs EPSG:N, for example --source-crs EPSG:3067."
                )
            )
        try:
            return parse_epsg(f"EPSG:{srs.srid}")
        except UnknownCRS as error:
            raise self.error(str(error)) from None

    def field_index(self, name):
        if name is None:
            return None
        if name not in self.fields:
            raise self.error(
                _("there is no field %(field)r; the fields are: %(fields)s.")
                % {"field": name, "fields": ", ".join(self.fields)}
            )
        return self.fields.index(name)

    def features(self, progress=None):
        """(number, feature, WKB in the source CRS) for each feature, numbered from 1."""
        total = self.layer.num_feat
        if total == 0:
            raise self.error(_("the layer has no features."))
        for number, feature in enumerate(self.layer, start=1):
            try:
                wkb = bytes(feature.geom.wkb)
            except GDALException:
                wkb = None
            yield number, feature, wkb
            if progress and (number % PROGRESS_EVERY == 0 or number == total):
                progress(number, total)


def _text(value) -> str:
    """A GDAL text value, decoded as UTF-8 (BOM dropped) or else Latin-1, stripped."""
    if not isinstance(value, str):
        return value
    raw = value.encode("latin-1")
    with contextlib.suppress(UnicodeDecodeError):  # if not UTF-8, the Latin-1 reading stands
        value = raw.decode("utf-8")
    return value.replace("\ufeff", "").strip()


def field_value(feature, index):
    if index is None:
        return None
    value = _text(feature[index].value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Shapefiles store whole numbers as reals.
    return "" if value is None else value


_WHOLE_NUMBER = re.compile(r"^\d+$")
MAX_POPULATION = 2**31 - 1  # PositiveIntegerField


def _population(file, number, name, value):
    if value == "":
        return None
    if isinstance(value, str) and _WHOLE_NUMBER.match(value):
        value = int(value)
    if isinstance(value, int) and 0 <= value <= MAX_POPULATION:
        return value
    raise file.error(
        _("the population must be a whole number of zero or more (or empty), not %(value)r.")
        % {"value": value},
        number,
        name,
    )


def _check_length(file, number, name, message, value, model, field_name):
    limit = model._meta.get_field(field_name).max_length
    if value and len(value) > limit:
        raise file.error(message % {"value": value, "limit": limit}, number, name)


def read_rows(
    file, *, code_field, name_field, name_sv_field, population_field, model, progress=None
):
    """Check the attributes in Python and return one row per feature for the TEMP table.

    A row is (feature number, code, name, name_sv, population, WKB); code and name_sv are
    None when their field is not given, so that an update keeps what the database has.
    """
    code_i, name_i = file.field_index(code_field), file.field_index(name_field)
    name_sv_i, population_i = file.field_index(name_sv_field), file.field_index(population_field)
    name_column = "name" if model is District else "name_fi"
    rows, seen = [], {}
    for number, feature, wkb in file.features(progress):
        name = str(field_value(feature, name_i))
        code = None if code_i is None else str(field_value(feature, code_i))
        name_sv = None if name_sv_i is None else str(field_value(feature, name_sv_i))
        label = name or code
        if wkb is None:
            raise file.error(_("the feature has no geometry."), number, label)
        if not name:
            raise file.error(
                _("the name (field %(field)r) is empty.") % {"field": name_field}, number, label
            )
        if code == "":
            raise file.error(
                _("the code (field %(field)r) is empty.") % {"field": code_field}, number, label
            )
        too_long = _("the code %(value)r is longer than %(limit)d characters.")
        _check_length(file, number, label, too_long, code, model, "code")
        too_long = _("the name %(value)r is longer than %(limit)d characters.")
        _check_length(file, number, label, too_long, name, model, name_column)
        too_long = _("the Swedish name %(value)r is longer than %(limit)d characters.")
        _check_length(file, number, label, too_long, name_sv, model, "name_sv")
        population = None
        if population_i is not None:
            population = _population(file, number, label, field_value(feature, population_i))

        key = name if code is None else code
        if key in seen:
            if code is None:
                message = _(
                    "features %(first)d and %(second)d are both named %(name)r; "
                    "give a field with unique codes with --code-field."
                )
            else:
                message = _("features %(first)d and %(second)d both have the code %(name)r.")
            raise file.error(message % {"first": seen[key], "second": number, "name": key})
        seen[key] = number
        rows.append((number, code, name, name_sv, population, wkb))
    return rows


# Each statement works on the TEMP table boundary_import; values are bound parameters.
CREATE_TEMP_TABLE = """
DROP TABLE IF EXISTS boundary_import;
CREATE TEMP TABLE boundary_import (
    feature integer PRIMARY KEY,
    code text,
    name text NOT NULL,
    name_sv text,
    population integer,
    source bytea NOT NULL,
    source_type text,
    geom geometry,
    reason text
) ON COMMIT DROP
"""
INSERT_ROW = """
INSERT INTO boundary_import (feature, code, name, name_sv, population, source)
VALUES (%s, %s, %s, %s, %s, %s)
"""
# Curves (GeoPackage, CAD) become straight segments; Z and M are dropped.
REPROJECT = """
UPDATE boundary_import
SET source_type = GeometryType(ST_GeomFromWKB(source)),
    geom = ST_Transform(
        ST_SetSRID(ST_CurveToLine(ST_Force2D(ST_GeomFromWKB(source))), %(srid)s), 4326)
"""
# Reprojected coordinates outside longitude/latitude mean the source CRS was wrong.
FIRST_OUT_OF_RANGE = """
SELECT feature, name FROM boundary_import
WHERE ST_XMin(geom) < -180 OR ST_XMax(geom) > 180 OR ST_YMin(geom) < -90 OR ST_YMax(geom) > 90
ORDER BY feature LIMIT 1
"""
CHECK_AND_REPAIR = """
UPDATE boundary_import SET reason = ST_IsValidReason(geom) WHERE NOT ST_IsValid(geom);
UPDATE boundary_import
SET geom = ST_Multi(ST_CollectionExtract(
    CASE WHEN reason IS NULL THEN geom ELSE ST_MakeValid(geom) END, 3))
"""
FIRST_UNUSABLE = """
SELECT feature, name, source_type FROM boundary_import
WHERE ST_IsEmpty(geom) OR NOT ST_IsValid(geom)
ORDER BY feature LIMIT 1
"""
REPAIRED = "SELECT feature, name, reason FROM boundary_import WHERE reason IS NOT NULL ORDER BY 1"


def _prepare_geometry(cursor, file, rows):
    """Load the rows into boundary_import and leave a valid MultiPolygon in 4326 in geom."""
    cursor.execute(CREATE_TEMP_TABLE)
    cursor.executemany(INSERT_ROW, rows)
    cursor.execute(REPROJECT, {"srid": file.srid})
    cursor.execute(FIRST_OUT_OF_RANGE)
    if (bad := cursor.fetchone()) is not None:
        raise file.off_the_earth(*bad)
    cursor.execute(CHECK_AND_REPAIR)
    cursor.execute(FIRST_UNUSABLE)
    if (bad := cursor.fetchone()) is not None:
        number, name, source_type = bad
        if source_type in ("POLYGON", "MULTIPOLYGON"):
            message = _("the polygon is empty, or nothing of it is left after repair.")
        else:
            message = _("the geometry is a %(type)s, not a polygon.") % {"type": source_type}
        raise file.error(message, number, name)
    cursor.execute(REPAIRED)
    return [Repair(*row) for row in cursor.fetchall()]


def _run(file, rows, upsert):
    """Prepare the geometry and upsert, in one transaction; errors name the file."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            repairs = _prepare_geometry(cursor, file, rows)
            result = upsert(cursor)
    except DatabaseError as error:
        raise file.error(
            _("the database refused the import: %(error)s") % {"error": error}
        ) from error
    result.repairs, result.source_srid = repairs, file.srid
    return result


# Observations whose district changed in this transaction, counted by the triggers that
# reassign them when districts change (walks migration 0007).
COUNT_REASSIGNED_FROM_ZERO = "SELECT set_config('lyhty.districts_reassigned', '0', true)"
REASSIGNED = """
SELECT COALESCE(NULLIF(current_setting('lyhty.districts_reassigned', true), ''), '0')::bigint
"""

UPDATE_MUNICIPALITIES = """
UPDATE geo_municipality m
SET country = %(country)s, national_srid = %(national_srid)s,
    name_fi = COALESCE(i.name_fi, m.name_fi), name_sv = COALESCE(i.name_sv, m.name_sv),
    geom = i.geom
FROM (SELECT code, geom,
             CASE WHEN %(country)s = 'FI' THEN name END AS name_fi,
             CASE WHEN %(country)s = 'FI' THEN name_sv ELSE name END AS name_sv
      FROM boundary_import) i
WHERE m.code = i.code
"""
INSERT_MUNICIPALITIES = """
INSERT INTO geo_municipality (code, country, name_fi, name_sv, name_en, national_srid, geom)
SELECT i.code, %(country)s,
       CASE WHEN %(country)s = 'FI' THEN i.name ELSE '' END,
       CASE WHEN %(country)s = 'FI' THEN COALESCE(i.name_sv, '') ELSE i.name END,
       '', %(national_srid)s, i.geom
FROM boundary_import i
WHERE NOT EXISTS (SELECT 1 FROM geo_municipality m WHERE m.code = i.code)
ORDER BY i.feature
"""


def import_municipalities(
    path,
    *,
    country,
    code_field,
    name_field,
    name_sv_field=None,
    layer=None,
    source_crs=None,
    progress=None,
) -> ImportResult:
    """A national file: one municipality per feature, matched to the database by code.

    The name field is Finnish in a Finnish file and Swedish in a Swedish one.
    """
    if country not in NATIONAL_CRS:
        raise BoundaryImportError(
            _("The country must be FI or SE, not %(country)r.") % {"country": country}
        )
    if country == "SE" and name_sv_field:
        raise BoundaryImportError(
            _(
                "In a Swedish file the name field already gives the Swedish name; "
                "leave out --name-sv-field."
            )
        )
    file = BoundaryFile(path, layer=layer, source_crs=source_crs)
    rows = read_rows(
        file,
        code_field=code_field,
        name_field=name_field,
        name_sv_field=name_sv_field,
        population_field=None,
        model=Municipality,
        progress=progress,
    )
    params = {"country": country, "national_srid": NATIONAL_CRS[country]}

    def upsert(cursor):
        cursor.execute(UPDATE_MUNICIPALITIES, params)
        updated = cursor.rowcount
        cursor.execute(INSERT_MUNICIPALITIES, params)
        return ImportResult(created=cursor.rowcount, updated=updated)

    return _run(file, rows, upsert)


# A district in the file is the one in the database with the same code or, without a code
# field, the same name; a district imported earlier without a code takes on its code.
SAME_DISTRICT = """
d.municipality_id = %(municipality)s
AND (d.code = i.code OR (d.name = i.name AND (i.code IS NULL OR d.code = '')))
"""
UPDATE_DISTRICTS = f"""
UPDATE geo_district d
SET code = COALESCE(i.code, d.code), name = i.name, name_sv = COALESCE(i.name_sv, d.name_sv),
    population = CASE WHEN %(has_population)s THEN i.population ELSE d.population END,
    geom = i.geom
FROM boundary_import i
WHERE {SAME_DISTRICT}
"""
INSERT_DISTRICTS = f"""
INSERT INTO geo_district (municipality_id, code, name, name_sv, population, geom)
SELECT %(municipality)s, COALESCE(i.code, ''), i.name, COALESCE(i.name_sv, ''), i.population,
       i.geom
FROM boundary_import i
WHERE NOT EXISTS (SELECT 1 FROM geo_district d WHERE {SAME_DISTRICT})
ORDER BY i.feature
"""
# Districts the file no longer has. They are kept (observations and plans may refer to
# them) and named in the summary, so the administrator decides.
MISSING_DISTRICTS = f"""
SELECT d.name FROM geo_district d
WHERE d.municipality_id = %(municipality)s
  AND NOT EXISTS (SELECT 1 FROM boundary_import i WHERE {SAME_DISTRICT})
ORDER BY d.name
"""


# A district is "mostly outside" when less than half of its area lies within the
# municipality's boundary grown by a margin: national boundary files are generalised (the
# Finnish one cuts 79 % off one of Helsinki's own small areas; with 200 m, 29 %), while
# another city's districts miss it by kilometres. Areas in the municipality's national CRS.
MIN_SHARE_INSIDE = 0.5
BOUNDARY_MARGIN_M = 200
OUTSIDE_MUNICIPALITY = """
WITH municipality AS (
    SELECT ST_Buffer(ST_Transform(geom, %(srid)s), %(margin)s) AS area
    FROM geo_municipality WHERE id = %(municipality)s
), district AS (
    SELECT feature, name, ST_Transform(geom, %(srid)s) AS geom FROM boundary_import
)
SELECT feature, name, inside FROM (
    SELECT d.feature, d.name,
           CASE WHEN ST_CoveredBy(d.geom, m.area) THEN 1.0
                ELSE ST_Area(ST_Intersection(d.geom, m.area)) / ST_Area(d.geom) END AS inside
    FROM district d, municipality m
) AS shares
WHERE inside < %(share)s
ORDER BY feature
"""


def _outside(cursor, municipality) -> list[Outside]:
    params = {
        "municipality": municipality.pk,
        "srid": municipality.national_srid,
        "margin": BOUNDARY_MARGIN_M,
        "share": MIN_SHARE_INSIDE,
    }
    cursor.execute(OUTSIDE_MUNICIPALITY, params)
    return [Outside(*row) for row in cursor.fetchall()]


def import_districts(
    path,
    *,
    municipality_code,
    name_field,
    name_sv_field=None,
    code_field=None,
    population_field=None,
    layer=None,
    source_crs=None,
    allow_outside=False,
    progress=None,
) -> ImportResult:
    """One municipality's districts; afterwards its observations get their district again.

    Districts that lie mostly outside the municipality's boundary (another city's file, the
    wrong municipality code) stop the import, named, unless `allow_outside`; then they are
    imported and named in the result.
    """
    municipality = Municipality.objects.filter(code=municipality_code).first()
    if municipality is None:
        raise BoundaryImportError(
            _("There is no municipality with the code %(code)r; import the municipalities first.")
            % {"code": municipality_code}
        )
    file = BoundaryFile(path, layer=layer, source_crs=source_crs)
    rows = read_rows(
        file,
        code_field=code_field,
        name_field=name_field,
        name_sv_field=name_sv_field,
        population_field=population_field,
        model=District,
        progress=progress,
    )
    params = {"municipality": municipality.pk, "has_population": population_field is not None}

    def upsert(cursor):
        outside = _outside(cursor, municipality)
        if outside and not allow_outside:
            raise file.error(
                ngettext(
                    "%(count)d district lies mostly outside the boundary of %(municipality)s: "
                    "%(districts)s. Is this the right file and municipality? To import it "
                    "anyway, add --allow-outside.",
                    "%(count)d districts lie mostly outside the boundary of %(municipality)s: "
                    "%(districts)s. Is this the right file and municipality? To import them "
                    "anyway, add --allow-outside.",
                    len(outside),
                )
                % {
                    "count": len(outside),
                    "municipality": municipality,
                    "districts": "; ".join(map(str, outside)),
                }
            )
        cursor.execute(COUNT_REASSIGNED_FROM_ZERO)
        cursor.execute(UPDATE_DISTRICTS, params)
        updated = cursor.rowcount
        cursor.execute(INSERT_DISTRICTS, params)
        result = ImportResult(created=cursor.rowcount, updated=updated, outside=outside)
        cursor.execute(MISSING_DISTRICTS, params)
        result.not_in_file = [name for (name,) in cursor.fetchall()]
        # The triggers of walks migration 0007 assigned observations their new districts.
        cursor.execute(REASSIGNED)
        (result.reassigned,) = cursor.fetchone()
        return result

    return _run(file, rows, upsert)


def summary(result: ImportResult, what: str) -> list[str]:
    """The lines a command prints at the end; `what` is "municipalities" or "districts"."""
    counts = {
        "total": result.total,
        "created": result.created,
        "updated": result.updated,
        "srid": result.source_srid,
    }
    if what == "municipalities":
        line = ngettext(
            "Imported %(total)d municipality (%(created)d created, %(updated)d updated) "
            "from EPSG:%(srid)d.",
            "Imported %(total)d municipalities (%(created)d created, %(updated)d updated) "
            "from EPSG:%(srid)d.",
            result.total,
        )
    else:
        line = ngettext(
            "Imported %(total)d district (%(created)d created, %(updated)d updated) "
            "from EPSG:%(srid)d.",
            "Imported %(total)d districts (%(created)d created, %(updated)d updated) "
            "from EPSG:%(srid)d.",
            result.total,
        )
    lines = [line % counts]
    if result.repairs:
        count = len(result.repairs)
        lines.append(
            ngettext(
                "Repaired %(count)d invalid polygon:", "Repaired %(count)d invalid polygons:", count
            )
            % {"count": count}
        )
        lines += [f"  {repair}" for repair in result.repairs]
    else:
        lines.append(_("All polygons were valid; none needed repair."))
    if what == "districts":
        lines.append(
            ngettext(
                "Re-assigned the district of %(count)d observation.",
                "Re-assigned the districts of %(count)d observations.",
                result.reassigned,
            )
            % {"count": result.reassigned}
        )
    if result.outside:
        count = len(result.outside)
        lines.append(
            ngettext(
                "Warning: %(count)d district lies mostly outside the municipality's boundary "
                "and was imported all the same (--allow-outside):",
                "Warning: %(count)d districts lie mostly outside the municipality's boundary "
                "and were imported all the same (--allow-outside):",
                count,
            )
            % {"count": count}
        )
        lines += [f"  {district}" for district in result.outside]
    if result.not_in_file:
        lines.append(
            ngettext(
                "%(count)d district is in the database but not in this file; it was kept "
                "(delete it in the admin if it no longer exists): %(names)s",
                "%(count)d districts are in the database but not in this file; they were kept "
                "(delete them in the admin if they no longer exist): %(names)s",
                len(result.not_in_file),
            )
            % {"count": len(result.not_in_file), "names": ", ".join(result.not_in_file)}
        )
    return lines


def print_progress(stream, every=PROGRESS_EVERY):
    """A progress callback for read_rows that writes a counter line to a command's stdout
    every `every` features (a multiple of PROGRESS_EVERY) and at the end."""

    def progress(done, total):
        if done % every == 0 or done == total:
            stream.write(_("Read %(done)d of %(total)d features…") % {"done": done, "total": total})

    return progress
