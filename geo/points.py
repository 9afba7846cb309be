# SPDX-License-Identifier: EUPL-1.2
"""What the point-file imports share (addresses, incidents): where each row is, in PostGIS.

A point file is read with importers.BoundaryFile (GeoJSON, GeoPackage, Shapefile, or CSV
with coordinate columns, in any EPSG CRS). Python finds each row's position — the
feature's geometry as WKB, or the x and y of its coordinate columns — and COPYs them into
the TEMP table point_import; PostGIS reprojects them to EPSG:4326, refuses what is not a
point or not on the earth, and leaves out the points outside the municipality. Each
importer keeps its attributes in a TEMP table of its own, joined on the feature number.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from geo.importers import BoundaryImportError, field_value


class Position:
    """Where a file's rows are: their geometry, or the coordinate columns x and y."""

    def __init__(self, file, x=None, y=None):
        if (x is None) != (y is None):
            raise BoundaryImportError(_("Give both --x-field and --y-field, or neither."))
        self.file, self.x, self.y = file, x, y
        # Looked up once: a missing field stops the import before any row is read.
        self._x, self._y = file.field_index(x), file.field_index(y)

    def of(self, number, feature, wkb, label=None):
        """(WKB, x, y) of one feature, or None when it has no position."""
        if self._x is None:
            return None if wkb is None else (wkb, None, None)
        x = coordinate(self.file, number, label, self.x, field_value(feature, self._x))
        y = coordinate(self.file, number, label, self.y, field_value(feature, self._y))
        return None if x is None or y is None else (None, x, y)


def coordinate(file, number, label, field_name, value):
    """The value as a float; None when empty, an error naming the feature when not a number."""
    if str(value).strip() == "":
        return None
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        raise file.error(
            _("the coordinate (field %(field)r) is not a number: %(value)r.")
            % {"field": field_name, "value": value},
            number,
            label,
        ) from None


CREATE_POINT_TABLE = """
DROP TABLE IF EXISTS point_import;
CREATE TEMP TABLE point_import (
    feature integer PRIMARY KEY,
    label text,
    source bytea,
    x float8,
    y float8,
    source_type text,
    geom geometry
) ON COMMIT DROP
"""
COPY_POINTS = "COPY point_import (feature, label, source, x, y) FROM STDIN"
# A one-point MultiPoint (some building files) is its point; Z and M are dropped.
REPROJECT = """
UPDATE point_import
SET source_type = COALESCE(GeometryType(ST_GeomFromWKB(source)), 'POINT'),
    geom = ST_Transform(ST_SetSRID(COALESCE(ST_Force2D(ST_GeomFromWKB(source)),
                                            ST_MakePoint(x, y)), %(srid)s), 4326);
UPDATE point_import SET geom = ST_GeometryN(geom, 1)
WHERE GeometryType(geom) = 'MULTIPOINT' AND ST_NumGeometries(geom) = 1;
"""
FIRST_NOT_A_POINT = """
SELECT feature, label, source_type FROM point_import
WHERE GeometryType(geom) <> 'POINT' OR ST_IsEmpty(geom)
ORDER BY feature LIMIT 1
"""
FIRST_OUT_OF_RANGE = """
SELECT feature, label FROM point_import
WHERE NOT (ST_X(geom) BETWEEN -180 AND 180 AND ST_Y(geom) BETWEEN -90 AND 90)
ORDER BY feature LIMIT 1
"""
# Without a margin, the rule of the districts: the boundary, edge included, covers the point.
LEAVE_OUT_OUTSIDE = """
DELETE FROM point_import i USING geo_municipality m
WHERE m.id = %(municipality)s AND NOT ST_Covers(m.geom, i.geom)
RETURNING i.feature
"""
# With one, compared in the national CRS, with the boundary grown by the margin once.
LEAVE_OUT_FAR_OUTSIDE = """
WITH area AS (
    SELECT national_srid AS srid, ST_Buffer(ST_Transform(geom, national_srid), %(margin)s) AS geom
    FROM geo_municipality WHERE id = %(municipality)s
)
DELETE FROM point_import i USING area
WHERE NOT ST_Intersects(area.geom, ST_Transform(i.geom, area.srid))
RETURNING i.feature
"""


def load_points(cursor, file, points):
    """COPY (feature, label, WKB, x, y) rows into point_import and leave a point in EPSG:4326
    in its geom; a geometry that is not a point or not on the earth stops the import."""
    cursor.execute(CREATE_POINT_TABLE)
    with cursor.copy(COPY_POINTS) as copy:
        for row in points:
            copy.write_row(row)
    cursor.execute(REPROJECT, {"srid": file.srid})
    cursor.execute(FIRST_NOT_A_POINT)
    if (bad := cursor.fetchone()) is not None:
        number, label, source_type = bad
        raise file.error(
            _("the geometry is a %(type)s, not a point.") % {"type": source_type}, number, label
        )
    cursor.execute(FIRST_OUT_OF_RANGE)
    if (bad := cursor.fetchone()) is not None:
        raise file.off_the_earth(*bad)


def leave_out_outside(cursor, municipality, margin=0) -> list[int]:
    """Delete the points outside the municipality (grown by `margin` metres) from
    point_import; their feature numbers, in order."""
    statement = LEAVE_OUT_FAR_OUTSIDE if margin else LEAVE_OUT_OUTSIDE
    cursor.execute(statement, {"municipality": municipality.pk, "margin": margin})
    return sorted(feature for (feature,) in cursor.fetchall())


SHOWN = 10  # feature numbers named in a summary line, of those left out


def feature_list(numbers) -> str:
    """ "3, 17, 40" — the first SHOWN feature numbers, then "…" if there are more."""
    shown = ", ".join(map(str, numbers[:SHOWN]))
    return shown + (", …" if len(numbers) > SHOWN else "")


def without_position_line(numbers) -> str:
    """The summary line naming the rows left out for having no position."""
    return ngettext(
        "Left out %(count)d row without a position: feature %(features)s.",
        "Left out %(count)d rows without a position: features %(features)s.",
        len(numbers),
    ) % {"count": len(numbers), "features": feature_list(numbers)}
