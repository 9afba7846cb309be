# SPDX-License-Identifier: EUPL-1.2
"""The coordinate reference systems of OGC API – Features Part 2, and their axis order.

Geometry is stored in EPSG:4326 as longitude/latitude, which is CRS84. A `crs` asks for
another system by its URI; coordinates then come in the axis order the EPSG registry
defines for it (OGC 18-058, requirement /req/crs/crs-action): EPSG:4326 is latitude,
longitude; EPSG:3006 (SWEREF 99 TM) is northing, easting; EPSG:3067 (ETRS-TM35FIN) and
EPSG:3857 are easting, northing. tests/ogc/test_crs.py checks this table against PROJ.
"""

from dataclasses import dataclass

from geo.crs import ETRS_TM35FIN, SWEREF99_TM, WEB_MERCATOR, WGS84

CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@dataclass(frozen=True)
class CRS:
    uri: str
    srid: int
    # True when the registry's first axis is latitude or northing: PostGIS stores x, y.
    northing_first: bool
    # Decimals in GeoJSON: 6 for degrees (about 10 cm), 3 for metres (1 mm).
    decimals: int


def _epsg(srid: int, *, northing_first: bool, decimals: int = 3) -> CRS:
    return CRS(f"http://www.opengis.net/def/crs/EPSG/0/{srid}", srid, northing_first, decimals)


CRS84 = CRS(CRS84_URI, WGS84, northing_first=False, decimals=6)

SUPPORTED = {
    crs.uri: crs
    for crs in (
        CRS84,
        _epsg(WGS84, northing_first=True, decimals=6),
        _epsg(ETRS_TM35FIN, northing_first=False),
        _epsg(SWEREF99_TM, northing_first=True),
        _epsg(WEB_MERCATOR, northing_first=False),
    )
}

# Where the data is kept: PostGIS's EPSG:4326 with longitude first, i.e. CRS84.
STORAGE_CRS = CRS84


def content_crs_header(crs: CRS) -> str:
    """The Content-Crs header of Part 2: the URI in angle brackets."""
    return f"<{crs.uri}>"
