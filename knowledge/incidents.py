# SPDX-License-Identifier: EUPL-1.2
"""Importing an official point file of incidents (traffic accidents, crimes, call-outs).

The point-file machinery is the address import's (geo/points.py): GDAL reads the file
(GeoJSON, GeoPackage, Shapefile, or CSV with coordinate columns, in any EPSG CRS), Python
reads each row's date, count and original attributes and COPYs them into a TEMP table,
and PostGIS does the rest in one transaction: reprojection to EPSG:4326, the point check,
leaving out the points outside the municipality, and replacing the incidents of the same
source and years. The trigger of knowledge migration 0002 gives each its district.

Rows without a position and points outside the municipality are left out and named in
the summary; a value that cannot be read (a date, a count, a field the file does not have)
raises BoundaryImportError naming the file, the row and the problem, and nothing is stored.
"""

import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from geo.crs import WGS84
from geo.importers import BoundaryFile, BoundaryImportError, field_value
from geo.models import Municipality
from geo.points import Position, feature_list, leave_out_outside, load_points, without_position_line
from knowledge.models import FIRST_YEAR, LAST_YEAR, Incident, IncidentKind

PROGRESS_EVERY = 1000


@dataclass
class IncidentImportResult:
    imported: int = 0  # rows stored
    events: int = 0  # the sum of their counts
    replaced: int = 0  # rows of the same source and years before
    years: list[int] = field(default_factory=list)
    without_position: list[int] = field(default_factory=list)  # feature numbers
    outside: list[int] = field(default_factory=list)  # feature numbers
    without_district: int = 0  # stored, inside the municipality but in no district
    source: str = ""
    source_srid: int = WGS84


_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_YEAR = re.compile(r"^\d{4}$")


def read_date(value) -> tuple[datetime.date | None, int]:
    """(date, year) of a date field's value: a date, dd.mm.yyyy, yyyy-mm-dd (a time after
    it is ignored), or only a year (then the date is None). ValueError when unreadable."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        day = value
    elif isinstance(value, int) or _YEAR.match(str(value).strip()):
        day, year = None, int(value)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(value)
        return None, year
    elif match := _DAY_MONTH_YEAR.match(str(value).strip()):
        day_of_month, month, year = map(int, match.groups())
        day = datetime.date(year, month, day_of_month)
    else:
        text = str(value).strip()
        day = datetime.date.fromisoformat(text[:10]) if len(text) >= 10 else None
        if day is None or (len(text) > 10 and text[10] not in "T "):
            raise ValueError(value)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(value)
    return day, day.year


def read_count(value) -> int:
    """A count field's value as a whole number of zero or more; ValueError otherwise."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(value)
    return value


def _jsonable(value):
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Fields:
    date: str
    count: str | None = None
    x: str | None = None
    y: str | None = None


def read_incident_rows(file, fields: Fields, result: IncidentImportResult, progress=None):
    """The rows for the TEMP tables: the incidents (feature, date, year, count, attributes
    as JSON) and their points (feature, label, WKB or None, x or None, y or None)."""
    date_i, count_i = file.field_index(fields.date), file.field_index(fields.count)
    position = Position(file, fields.x, fields.y)
    rows, points, years = [], [], set()
    for number, feature, wkb in file.features(progress):
        value = field_value(feature, date_i)
        try:
            day, year = read_date(value)
        except ValueError:
            raise file.error(
                _(
                    "the date (field %(field)r) cannot be read: %(value)r; write it as "
                    "dd.mm.yyyy, yyyy-mm-dd or a year."
                )
                % {"field": fields.date, "value": value},
                number,
            ) from None
        count = 1
        if count_i is not None:
            value = field_value(feature, count_i)
            try:
                count = read_count(value)
            except ValueError:
                raise file.error(
                    _(
                        "the count (field %(field)r) is not a whole number of zero or more: "
                        "%(value)r."
                    )
                    % {"field": fields.count, "value": value},
                    number,
                ) from None
        years.add(year)
        where = position.of(number, feature, wkb)
        if where is None:
            result.without_position.append(number)
            continue
        attributes = {
            name: _jsonable(field_value(feature, index)) for index, name in enumerate(file.fields)
        }
        rows.append((number, day, year, count, json.dumps(attributes, ensure_ascii=False)))
        points.append((number, None, *where))
    result.years = sorted(years)
    return rows, points


# The attributes; their points are in geo.points' point_import, under the same number.
CREATE_TEMP_TABLE = """
DROP TABLE IF EXISTS incident_import;
CREATE TEMP TABLE incident_import (
    feature integer PRIMARY KEY,
    date date,
    year integer NOT NULL,
    count integer NOT NULL,
    attributes jsonb NOT NULL
) ON COMMIT DROP
"""
COPY_ROWS = "COPY incident_import (feature, date, year, count, attributes) FROM STDIN"
DELETE_SAME_SOURCE_AND_YEARS = """
DELETE FROM knowledge_incident
WHERE municipality_id = %(municipality)s AND source = %(source)s AND year = ANY(%(years)s)
"""
INSERT_INCIDENTS = """
INSERT INTO knowledge_incident
    (municipality_id, kind, source, date, year, count, geom, attributes)
SELECT %(municipality)s, %(kind)s, %(source)s, a.date, a.year, a.count, p.geom, a.attributes
FROM incident_import a JOIN point_import p USING (feature)
ORDER BY feature
RETURNING count, district_id
"""


def import_incidents(
    path,
    *,
    municipality_code,
    kind,
    fields: Fields,
    source=None,
    layer=None,
    source_crs=None,
    progress=None,
) -> IncidentImportResult:
    """Replace the municipality's incidents of the file's source and years with the file's."""
    municipality = Municipality.objects.filter(code=municipality_code).first()
    if municipality is None:
        raise BoundaryImportError(
            _("There is no municipality with the code %(code)r; import the municipalities first.")
            % {"code": municipality_code}
        )
    if kind not in IncidentKind.values:
        raise BoundaryImportError(
            _("The kind must be one of %(kinds)s, not %(kind)r.")
            % {"kinds": ", ".join(IncidentKind.values), "kind": kind}
        )
    source = (source or Path(path).stem).strip()
    limit = Incident._meta.get_field("source").max_length
    if not source or len(source) > limit:
        raise BoundaryImportError(
            _("The source name must be 1 to %(limit)d characters.") % {"limit": limit}
        )
    file = BoundaryFile(path, layer=layer, source_crs=source_crs)
    result = IncidentImportResult(source=source, source_srid=file.srid)
    rows, points = read_incident_rows(file, fields, result, progress)
    if not rows:
        raise file.error(
            _(
                "no row has a position; for a file with coordinate columns give --x-field "
                "and --y-field."
            )
        )
    params = {
        "municipality": municipality.pk,
        "kind": kind,
        "source": source,
        "years": result.years,
    }
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(CREATE_TEMP_TABLE)
            with cursor.copy(COPY_ROWS) as copy:
                for row in rows:
                    copy.write_row(row)
            load_points(cursor, file, points)
            result.outside = leave_out_outside(cursor, municipality)
            if len(result.outside) == len(rows):
                raise file.error(
                    _(
                        "none of its %(count)d points lies within the boundary of "
                        "%(municipality)s; is this the right file and municipality?"
                    )
                    % {"count": len(rows), "municipality": municipality}
                )
            cursor.execute(DELETE_SAME_SOURCE_AND_YEARS, params)
            result.replaced = cursor.rowcount
            cursor.execute(INSERT_INCIDENTS, params)
            stored = cursor.fetchall()
    except DatabaseError as error:
        raise file.error(
            _("the database refused the import: %(error)s") % {"error": error}
        ) from error
    result.imported = len(stored)
    result.events = sum(count for count, _district in stored)
    result.without_district = sum(1 for _count, district in stored if district is None)
    return result


def incident_summary(result: IncidentImportResult) -> list[str]:
    years = result.years
    lines = [
        ngettext(
            "Imported %(count)d incident (%(events)d events) from %(source)r in EPSG:%(srid)d, "
            "years %(first)d–%(last)d, replacing %(replaced)d.",
            "Imported %(count)d incidents (%(events)d events) from %(source)r in "
            "EPSG:%(srid)d, years %(first)d–%(last)d, replacing %(replaced)d.",
            result.imported,
        )
        % {
            "count": result.imported,
            "events": result.events,
            "source": result.source,
            "srid": result.source_srid,
            "first": years[0],
            "last": years[-1],
            "replaced": result.replaced,
        }
    ]
    if result.without_position:
        lines.append(without_position_line(result.without_position))
    if result.outside:
        count = len(result.outside)
        lines.append(
            ngettext(
                "Left out %(count)d point outside the municipality: feature %(features)s.",
                "Left out %(count)d points outside the municipality: features %(features)s.",
                count,
            )
            % {"count": count, "features": feature_list(result.outside)}
        )
    if result.without_district:
        lines.append(
            ngettext(
                "%(count)d incident lies in the municipality but in none of its districts.",
                "%(count)d incidents lie in the municipality but in none of its districts.",
                result.without_district,
            )
            % {"count": result.without_district}
        )
    return lines
