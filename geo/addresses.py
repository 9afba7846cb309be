# SPDX-License-Identifier: EUPL-1.2
"""Importing one municipality's address points from a national address or building file.

GDAL reads the file (GeoJSON, GeoPackage, Shapefile, or CSV with coordinate columns, in any
EPSG CRS), Python checks the attributes and COPYs the rows into TEMP tables (the points
through geo/points.py, shared with the incident import), and PostGIS
does the rest in one transaction: reprojection to EPSG:4326, the point check, keeping only
the points within the municipality's boundary (grown by importers.BOUNDARY_MARGIN_M, as
national files hold the whole country) and replacing the municipality's addresses. The
triggers of walks migration 0009 then give every observation of the municipality its
nearest address. A file that cannot be imported raises BoundaryImportError naming the
file, the feature and the problem, and nothing is written.
"""

from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from geo.crs import WGS84
from geo.importers import BOUNDARY_MARGIN_M, BoundaryFile, BoundaryImportError, field_value
from geo.models import Address, Municipality
from geo.points import Position, leave_out_outside, load_points, without_position_line

PROGRESS_EVERY = 10_000  # address files run to millions of rows


@dataclass
class AddressImportResult:
    imported: int = 0
    replaced: int = 0  # the municipality's addresses before
    outside: int = 0  # points of the file outside the municipality, left out
    without_street: int = 0  # rows with an empty street, left out (buildings without one)
    without_position: list[int] = field(default_factory=list)  # their feature numbers
    with_address: int = 0  # the municipality's observations that now have an address
    source_srid: int = WGS84


@dataclass(frozen=True)
class Fields:
    """Which of the file's fields hold what; x and y only for a file without geometry."""

    street: str
    number: str | None = None
    street_sv: str | None = None
    postcode: str | None = None
    x: str | None = None
    y: str | None = None


ATTRIBUTES = ("street", "number", "street_sv", "postcode")


def postcode_text(value) -> str:
    """A postcode as text. Finnish and Swedish postcodes have five digits, and a column
    typed as a number (a spreadsheet's or GDAL's guess) has lost the leading zeros of
    Helsinki's 00100: they are put back."""
    if isinstance(value, int):
        return f"{value:05d}"
    return "" if value is None else str(value)


def read_address_rows(file, fields: Fields, result: "AddressImportResult", progress=None):
    """The rows for the TEMP tables, counting in `result` those left out: the attributes
    (feature, street, street_sv, number, postcode) and the points (feature, label, WKB or
    None, x or None, y or None) for points.load_points.

    A row without a street (a building without an address) or without a position is left
    out and counted; a value that cannot be right (a coordinate that is not a number, a
    value longer than the column) stops the import, naming the feature.
    """
    index = {name: file.field_index(getattr(fields, name)) for name in ATTRIBUTES}
    position = Position(file, fields.x, fields.y)
    rows, points = [], []
    for number, feature, wkb in file.features(progress):
        street = str(field_value(feature, index["street"]))
        if not street:
            result.without_street += 1
            continue
        values = {
            name: "" if index[name] is None else str(field_value(feature, index[name]))
            for name in ("street_sv", "number")
        }
        values["postcode"] = postcode_text(field_value(feature, index["postcode"]))
        label = f"{street} {values['number']}".strip()
        for name, value in [("street", street), *values.items()]:
            limit = Address._meta.get_field(name).max_length
            if len(value) > limit:
                raise file.error(
                    _("the field %(field)r holds %(value)r, longer than %(limit)d characters.")
                    % {"field": getattr(fields, name), "value": value, "limit": limit},
                    number,
                    label,
                )
        where = position.of(number, feature, wkb, label)
        if where is None:
            result.without_position.append(number)
            continue
        rows.append((number, street, values["street_sv"], values["number"], values["postcode"]))
        points.append((number, label, *where))
    return rows, points


# The attributes; their points are in points.point_import, under the same feature number.
CREATE_TEMP_TABLE = """
DROP TABLE IF EXISTS address_import;
CREATE TEMP TABLE address_import (
    feature integer PRIMARY KEY,
    street text NOT NULL,
    street_sv text NOT NULL,
    number text NOT NULL,
    postcode text NOT NULL
) ON COMMIT DROP
"""
COPY_ROWS = "COPY address_import (feature, street, street_sv, number, postcode) FROM STDIN"
COUNT_REASSIGNED_FROM_ZERO = "SELECT set_config('lyhty.addresses_reassigned', '0', true)"
REASSIGNED = """
SELECT COALESCE(NULLIF(current_setting('lyhty.addresses_reassigned', true), ''), '0')::bigint
"""
DELETE_ADDRESSES = "DELETE FROM geo_address WHERE municipality_id = %(municipality)s"
INSERT_ADDRESSES = """
INSERT INTO geo_address (municipality_id, street, street_sv, number, postcode, geom)
SELECT %(municipality)s, a.street, a.street_sv, a.number, a.postcode, p.geom
FROM address_import a JOIN point_import p USING (feature) ORDER BY feature
"""


def _load(cursor, file, rows, points):
    cursor.execute(CREATE_TEMP_TABLE)
    with cursor.copy(COPY_ROWS) as copy:
        for row in rows:
            copy.write_row(row)
    load_points(cursor, file, points)


def import_addresses(
    path,
    *,
    municipality_code,
    fields: Fields,
    layer=None,
    source_crs=None,
    progress=None,
) -> AddressImportResult:
    """Replace the municipality's addresses with the points of the file inside it."""
    municipality = Municipality.objects.filter(code=municipality_code).first()
    if municipality is None:
        raise BoundaryImportError(
            _("There is no municipality with the code %(code)r; import the municipalities first.")
            % {"code": municipality_code}
        )
    if (fields.x is None) != (fields.y is None):  # before reading the file
        raise BoundaryImportError(_("Give both --x-field and --y-field, or neither."))
    file = BoundaryFile(path, layer=layer, source_crs=source_crs)
    result = AddressImportResult(source_srid=file.srid)
    rows, points = read_address_rows(file, fields, result, progress)
    if not rows:
        raise file.error(
            _(
                "no feature has both a street name (field %(field)r) and a position; for a "
                "file with coordinate columns give --x-field and --y-field."
            )
            % {"field": fields.street}
        )
    params = {"municipality": municipality.pk}
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _load(cursor, file, rows, points)
            result.outside = len(leave_out_outside(cursor, municipality, BOUNDARY_MARGIN_M))
            if result.outside == len(rows):
                raise file.error(
                    _(
                        "none of its %(count)d points lies within the boundary of "
                        "%(municipality)s; is this the right file and municipality?"
                    )
                    % {"count": len(rows), "municipality": municipality}
                )
            # Deleting first leaves every observation of the municipality without an address;
            # the insert's trigger then counts those that get one.
            cursor.execute(DELETE_ADDRESSES, params)
            result.replaced = cursor.rowcount
            cursor.execute(COUNT_REASSIGNED_FROM_ZERO)
            cursor.execute(INSERT_ADDRESSES, params)
            result.imported = cursor.rowcount
            cursor.execute(REASSIGNED)
            (result.with_address,) = cursor.fetchone()
    except DatabaseError as error:
        raise file.error(
            _("the database refused the import: %(error)s") % {"error": error}
        ) from error
    return result


def address_summary(result: AddressImportResult, max_distance_m: int) -> list[str]:
    lines = [
        ngettext(
            "Imported %(count)d address from EPSG:%(srid)d, replacing %(replaced)d.",
            "Imported %(count)d addresses from EPSG:%(srid)d, replacing %(replaced)d.",
            result.imported,
        )
        % {"count": result.imported, "srid": result.source_srid, "replaced": result.replaced}
    ]
    if result.outside:
        lines.append(
            ngettext(
                "Left out %(count)d point outside the municipality.",
                "Left out %(count)d points outside the municipality.",
                result.outside,
            )
            % {"count": result.outside}
        )
    if result.without_street:
        lines.append(
            ngettext(
                "Left out %(count)d row without a street name.",
                "Left out %(count)d rows without a street name.",
                result.without_street,
            )
            % {"count": result.without_street}
        )
    if result.without_position:
        lines.append(without_position_line(result.without_position))
    lines.append(
        ngettext(
            "%(count)d observation now has an address within %(metres)d m.",
            "%(count)d observations now have an address within %(metres)d m.",
            result.with_address,
        )
        % {"count": result.with_address, "metres": max_distance_m}
    )
    return lines
