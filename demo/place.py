# SPDX-License-Identifier: EUPL-1.2
"""Lyhtylä on the map: its boundary, districts and safety walks, built in EPSG:3067 metres.

What the town is (names, districts, walks, where reports pile up) is data,
`data/demo/lyhtyla.json`; this module draws it. The geometry is drawn from the demo's
seeded generator and stored in EPSG:4326; what is already in the database is reused,
never doubled.
"""

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.utils.translation import gettext as _

from demo.dates import DemoClock
from demo.patterns import HELSINKI, DemoError
from geo.crs import ETRS_TM35FIN, WGS84
from geo.models import District, Municipality
from walks.models import ParticipantGroup, SafetyWalk, Theme, WalkState
from walks.taxonomy import DATA_DIR, names, read_data

# The town's definition: names, centre, districts and walks (described in data/README.md).
DEMO_FILE = DATA_DIR / "demo" / "lyhtyla.json"


@dataclass(frozen=True)
class DemoDistrict:
    code: str
    name_fi: str
    name_sv: str
    population: int
    seed: tuple[int, int]  # metres east and north of the centre


@dataclass(frozen=True)
class DemoWalk:
    join_code: str
    title: str
    group: str
    state: str
    starts_at: datetime
    hours: float
    waypoints: tuple[tuple[int, int], ...]  # metres east and north of the centre
    observations: int
    themes: dict[str, float]  # how often each theme comes up on this walk
    positive_share: float
    theme_code: str | None = None
    follow_up_notes: str = ""
    track_share: float = 1.0  # how much of the route the recorded track covers

    @classmethod
    def from_data(cls, spec: dict) -> "DemoWalk":
        return cls(
            join_code=spec["join_code"],
            title=spec["title"],
            group=ParticipantGroup(spec["group"]),
            state=WalkState(spec["state"]),
            starts_at=datetime.fromisoformat(spec["starts_at"]).replace(tzinfo=HELSINKI),
            hours=spec["hours"],
            waypoints=tuple(tuple(point) for point in spec["waypoints"]),
            observations=spec["observations"],
            themes=spec["themes"],
            positive_share=spec["positive_share"],
            theme_code=spec.get("theme"),
            follow_up_notes=spec.get("follow_up_notes", ""),
            track_share=spec.get("track_share", 1.0),
        )


class DemoHotspot(NamedTuple):
    """Where resident reports pile up."""

    at: tuple[int, int]  # metres east and north of the centre
    spread: float  # standard deviation, metres
    weight: float  # relative share of the reports
    themes: dict[str, float]  # themes reported more here than elsewhere


_TOWN = read_data(DEMO_FILE)
DEMO_CODE: str = _TOWN["code"]
DEMO_NAMES = names(_TOWN)
DEMO_CENTRE = tuple(_TOWN["centre"])  # lon, lat
DEMO_DISTRICTS = [
    DemoDistrict(d["code"], d["name"]["fi"], d["name"]["sv"], d["population"], tuple(d["seed"]))
    for d in _TOWN["districts"]
]
DEMO_WALKS = [DemoWalk.from_data(spec) for spec in _TOWN["walks"]]
DEMO_HOTSPOTS = [
    DemoHotspot(tuple(h["at"]), h["spread"], h["weight"], h["themes"]) for h in _TOWN["hotspots"]
]


def national_point(lonlat) -> tuple[float, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(p), ST_Y(p) FROM ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), %s), %s) p",
            [*lonlat, WGS84, ETRS_TM35FIN],
        )
        return cursor.fetchone()


def to_wgs84(geometry: shapely.Geometry) -> GEOSGeometry:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsEWKB(ST_Transform(ST_GeomFromWKB(%s, %s), %s))",
            [shapely.to_wkb(geometry), ETRS_TM35FIN, WGS84],
        )
        return GEOSGeometry(memoryview(cursor.fetchone()[0]))


def demo_boundary(rng: random.Random, centre) -> shapely.Polygon:
    """An irregular, slightly wide polygon about 10 km across, in EPSG:3067."""
    cx, cy = centre
    vertices = []
    for i in range(18):
        angle = math.radians(i * 20 + rng.uniform(-5, 5))
        radius = rng.uniform(4300, 6100)
        vertices.append(
            (
                round(cx + 1.15 * radius * math.cos(angle), 2),
                round(cy + radius * math.sin(angle), 2),
            )
        )
    return shapely.Polygon(vertices)


def demo_municipality(boundary: shapely.Polygon) -> tuple[Municipality, bool]:
    """The demo municipality, and whether it was created now."""
    municipality = Municipality.objects.filter(code=DEMO_CODE).first()
    if municipality is not None:
        return municipality, False
    municipality = Municipality.objects.create(
        code=DEMO_CODE,
        country="FI",
        national_srid=ETRS_TM35FIN,
        geom=to_wgs84(shapely.MultiPolygon([boundary])),
        **DEMO_NAMES,
    )
    return municipality, True


_DISTRICT_CELLS = """
WITH seeds AS (
    SELECT n, ST_SetSRID(ST_MakePoint(x, y), %(srid)s) AS geom
    FROM unnest(%(xs)s::float8[], %(ys)s::float8[]) WITH ORDINALITY AS s(x, y, n)
), boundary AS (
    SELECT ST_GeomFromWKB(%(boundary)s, %(srid)s) AS geom
), cells AS (
    SELECT (ST_Dump(ST_VoronoiPolygons(
        (SELECT ST_Collect(geom) FROM seeds), 0, (SELECT geom FROM boundary)
    ))).geom AS geom
)
SELECT seeds.n, ST_AsEWKB(ST_Multi(ST_Transform(
    ST_CollectionExtract(ST_Intersection(cells.geom, boundary.geom), 3), %(wgs84)s)))
FROM seeds JOIN cells ON ST_Contains(cells.geom, seeds.geom), boundary
ORDER BY seeds.n
"""


def demo_districts(rng, municipality, centre, boundary) -> int:
    """Voronoi cells of seeded points, clipped to the boundary: computed in PostGIS.

    Returns how many districts were created now.
    """
    cx, cy = centre
    points = [
        (cx + dx + rng.uniform(-200, 200), cy + dy + rng.uniform(-200, 200))
        for dx, dy in (district.seed for district in DEMO_DISTRICTS)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _DISTRICT_CELLS,
            {
                "xs": [round(x, 2) for x, _y in points],
                "ys": [round(y, 2) for _x, y in points],
                "boundary": shapely.to_wkb(boundary),
                "srid": ETRS_TM35FIN,
                "wgs84": WGS84,
            },
        )
        cells = dict(cursor.fetchall())
    created = 0
    for n, district in enumerate(DEMO_DISTRICTS, start=1):
        _district, was_created = District.objects.get_or_create(
            municipality=municipality,
            code=district.code,
            defaults={
                "name": district.name_fi,
                "name_sv": district.name_sv,
                "population": district.population,
                "geom": GEOSGeometry(memoryview(cells[n])),
            },
        )
        created += was_created
    return created


def _route(spec: DemoWalk, rng: random.Random, centre) -> list[tuple[float, float]]:
    cx, cy = centre
    jitter = [
        (0, 0)
        if i in (0, len(spec.waypoints) - 1) or (dx, dy) == (0, 0)
        else (rng.uniform(-60, 60), rng.uniform(-60, 60))
        for i, (dx, dy) in enumerate(spec.waypoints)
    ]
    return [
        (round(cx + dx + jx, 2), round(cy + dy + jy, 2))
        for (dx, dy), (jx, jy) in zip(spec.waypoints, jitter, strict=True)
    ]


def _track(rng: random.Random, route: shapely.LineString, share: float) -> shapely.LineString:
    """What a phone records walking the route: a point every 25 m, a few metres off."""
    steps = int(route.length * share // 25)
    points = [route.interpolate(i * 25) for i in range(steps + 1)]
    return shapely.LineString(
        [(round(p.x + rng.gauss(0, 4), 2), round(p.y + rng.gauss(0, 4), 2)) for p in points]
    )


class PlacedWalk(NamedTuple):
    walk: SafetyWalk
    spec: DemoWalk
    route: shapely.LineString  # in metres, for placing the walk's observations
    created: bool  # now, by this load


def demo_walk(rng, municipality, spec: DemoWalk, centre, clock: DemoClock) -> PlacedWalk:
    route = shapely.LineString(_route(spec, rng, centre))
    track = _track(rng, route, spec.track_share)
    walk = SafetyWalk.objects.filter(join_code=spec.join_code).first()
    if walk is not None and walk.municipality_id != municipality.pk:
        raise DemoError(
            _("The join code %(code)s belongs to a walk outside the demo municipality.")
            % {"code": spec.join_code}
        )
    created = walk is None
    if created:
        route_wgs84 = to_wgs84(route)
        walk = SafetyWalk.objects.create(
            municipality=municipality,
            title=spec.title,
            group=spec.group,
            state=spec.state,
            starts_at=clock.moment(spec.starts_at),
            ends_at=clock.moment(spec.starts_at) + timedelta(hours=spec.hours),
            theme=Theme.objects.filter(code=spec.theme_code).first() if spec.theme_code else None,
            route=route_wgs84,
            track=to_wgs84(shapely.MultiLineString([track])),
            join_code=spec.join_code,
            follow_up_notes=spec.follow_up_notes,
        )
        walk.districts.set(municipality.districts.filter(geom__intersects=route_wgs84))
    return PlacedWalk(walk, spec, route, created)
