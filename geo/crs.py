# SPDX-License-Identifier: EUPL-1.2
"""Coordinate reference systems Lyhty accepts from people and files.

GDAL 3.6 lets a spatial-reference string open files and URLs, so user input is only ever
an EPSG code, parsed here, and checked against PostGIS's spatial_ref_sys before use.
"""

import re

from django.db import connection
from django.utils.translation import gettext_lazy as _

WGS84 = 4326
WEB_MERCATOR = 3857
ETRS_TM35FIN = 3067
SWEREF99_TM = 3006

NATIONAL_CRS = {"FI": ETRS_TM35FIN, "SE": SWEREF99_TM}

CRS_CHOICES = [
    (ETRS_TM35FIN, "EPSG:3067 ETRS89 / TM35FIN"),
    (SWEREF99_TM, "EPSG:3006 SWEREF99 TM"),
]

_EPSG = re.compile(r"^\s*(?:EPSG:)?(\d{4,6})\s*$", re.IGNORECASE)


class UnknownCRS(ValueError):
    pass


def parse_epsg(text: str) -> int:
    """'EPSG:3067' (or '3067') -> 3067, if PostGIS knows the code; anything else is refused."""
    match = _EPSG.match(text or "")
    if not match:
        raise UnknownCRS(
            _("Give the CRS as an EPSG code, for example EPSG:3067, not %(value)r.")
            % {"value": text}
        )
    srid = int(match.group(1))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM spatial_ref_sys WHERE auth_name = 'EPSG' AND auth_srid = %s", [srid]
        )
        if cursor.fetchone() is None:
            raise UnknownCRS(
                _("EPSG:%(srid)s is not a coordinate system PostGIS knows.") % {"srid": srid}
            )
    return srid
