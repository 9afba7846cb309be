# SPDX-License-Identifier: EUPL-1.2
"""The demo municipality Lyhtylä, and synthetic observation loads for benchmarks.

Both `manage.py load_demo` and `manage.py generate_observations` write observations
through one bulk path, `insert_observations`: rows made in Python are COPYed into a
temporary staging table and moved into walks_observation by one INSERT … SELECT, in which
PostGIS transforms the points to EPSG:4326 and the trigger of walks 0002 assigns the
districts. A UUID seen before is skipped (ON CONFLICT DO NOTHING), so every load is safe
to repeat.

The demo is the same on every run: one seeded random generator, UUIDs from a fixed
namespace, dates relative to a fixed anchor, geometry built in EPSG:3067 metres.
"""

import itertools
import math
import os
import random
import time
from bisect import bisect
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

import shapely
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geo.crs import ETRS_TM35FIN, WGS84
from geo.models import District, Municipality
from walks.models import (
    ALLOWED_TRANSITIONS,
    Category,
    LightCondition,
    ParticipantGroup,
    PositionSource,
    ResponsibleUnit,
    SafetyWalk,
    Status,
    StatusChange,
    Theme,
    Visibility,
    WalkState,
)
from walks.roles import PLANNERS_GROUP, STAFF_GROUP

HELSINKI = ZoneInfo("Europe/Helsinki")


class DemoError(Exception):
    """Something in the database stops the demo or the load from being built."""


# --- The bulk path ------------------------------------------------------------------------


class ObservationRow(NamedTuple):
    """One observation on its way in; x and y are in the CRS given to insert_observations."""

    uuid: UUID
    x: float
    y: float
    category_id: int
    status: str
    visibility: str
    is_positive: bool
    light_condition: str
    position_source: str
    observed_at: datetime
    created_at: datetime
    updated_at: datetime
    walk_id: int | None = None
    severity: int | None = None
    perceived_safety: int | None = None
    accuracy_m: float | None = None
    responsible_unit_id: int | None = None
    duplicate_of: UUID | None = None  # the UUID of the original, loaded before or alongside


_CREATE_STAGING = """
CREATE TEMP TABLE lyhty_observation_staging (
    uuid uuid NOT NULL, x float8 NOT NULL, y float8 NOT NULL, category_id bigint NOT NULL,
    status varchar(12) NOT NULL, visibility varchar(10) NOT NULL, is_positive boolean NOT NULL,
    light_condition varchar(10) NOT NULL, position_source varchar(10) NOT NULL,
    observed_at timestamptz NOT NULL, created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL, walk_id bigint, severity smallint, perceived_safety smallint,
    accuracy_m float8, responsible_unit_id bigint, duplicate_of uuid
)
"""
_DROP_STAGING = "DROP TABLE IF EXISTS lyhty_observation_staging"
_COPY_STAGING = (
    "COPY lyhty_observation_staging (uuid, x, y, category_id, status, visibility, is_positive,"
    " light_condition, position_source, observed_at, created_at, updated_at, walk_id, severity,"
    " perceived_safety, accuracy_m, responsible_unit_id, duplicate_of) FROM STDIN"
)
# Originals first, duplicates in a second statement: a statement does not see its own rows,
# and a duplicate needs its original's id. Rows are inserted in the order of their position
# on a coarse grid, so that neighbours land on neighbouring index pages.
_INSERT = """
WITH inserted AS (
    INSERT INTO walks_observation (
        uuid, municipality_id, geom, category_id, status, visibility, is_positive,
        light_condition, position_source, observed_at, created_at, updated_at, walk_id,
        severity, perceived_safety, accuracy_m, responsible_unit_id, duplicate_of_id,
        description, proposed_fix
    )
    SELECT
        s.uuid, %(municipality)s, ST_Transform(ST_SetSRID(ST_MakePoint(s.x, s.y), %(srid)s), 4326),
        s.category_id, s.status, s.visibility, s.is_positive, s.light_condition,
        s.position_source, s.observed_at, s.created_at, s.updated_at, s.walk_id, s.severity,
        s.perceived_safety, s.accuracy_m, s.responsible_unit_id,
        CASE WHEN s.duplicate_of IS NOT NULL THEN
            (SELECT o.id FROM walks_observation o WHERE o.uuid = s.duplicate_of)
        END,
        '', ''
    FROM lyhty_observation_staging s
    WHERE (s.duplicate_of IS NULL) = %(originals)s
    ORDER BY floor(s.x / 1000), floor(s.y / 1000)
    ON CONFLICT (uuid) DO NOTHING
    RETURNING id, uuid, district_id
)
"""
_COUNT_INSERTED = _INSERT + "SELECT count(*), count(district_id) FROM inserted"
_LIST_INSERTED = _INSERT + "SELECT id, uuid, district_id FROM inserted"


@dataclass
class InsertResult:
    inserted: int = 0
    with_district: int = 0
    ids: dict[UUID, int] = field(default_factory=dict)  # only when asked for


def insert_observations(
    rows: Iterable[ObservationRow], *, municipality_id: int, srid: int, keep_ids: bool = False
) -> InsertResult:
    """COPY the rows into a staging table and move them into walks_observation in one go.

    Rows whose UUID is already there are skipped. With keep_ids, the result maps each new
    row's UUID to its id (for the demo's history); without, only the counts come back.
    """
    result = InsertResult()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_DROP_STAGING)
        cursor.execute(_CREATE_STAGING)
        with cursor.copy(_COPY_STAGING) as copy:
            for row in rows:
                copy.write_row(row)
        # Row counts for the planner: without them it guesses, and compiles JIT for nothing.
        cursor.execute("ANALYZE lyhty_observation_staging")
        for originals in (True, False):
            params = {"municipality": municipality_id, "srid": srid, "originals": originals}
            if keep_ids:
                cursor.execute(_LIST_INSERTED, params)
                for pk, row_uuid, district_id in cursor.fetchall():
                    result.ids[row_uuid] = pk
                    result.inserted += 1
                    result.with_district += district_id is not None
            else:
                cursor.execute(_COUNT_INSERTED, params)
                inserted, with_district = cursor.fetchone()
                result.inserted += inserted
                result.with_district += with_district
        cursor.execute(_DROP_STAGING)
    return result


# --- What real observations look like -----------------------------------------------------


class Weighted:
    """Things with weights, drawn many times: the weights are summed once, not per draw."""

    def __init__(self, weights: dict):
        self.items = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def draw(self, rng: random.Random):
        # What random.choices does for k=1, without rebuilding its lists on every call.
        return self.items[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


# Sunrise and sunset, local time in hours, mid-month at 61.5° N. Rough on purpose: the
# generated light condition only has to agree with the clock, not with an almanac.
SUN_AT_61N = {
    1: (9.2, 15.4),
    2: (8.2, 17.0),
    3: (6.9, 18.3),
    4: (6.3, 20.5),
    5: (4.8, 21.9),
    6: (3.7, 23.0),
    7: (4.1, 22.7),
    8: (5.6, 21.2),
    9: (7.0, 19.6),
    10: (8.1, 17.9),
    11: (8.5, 15.8),
    12: (9.3, 15.0),
}
TWILIGHT_HOURS = 1.0
WHITE_NIGHT_MONTHS = (6, 7)  # the sun barely sets: dusk all night, never dark
DARK_MONTHS = (10, 11, 12, 1, 2, 3)


def light_at(local: datetime) -> str:
    sunrise, sunset = SUN_AT_61N[local.month]
    hour = local.hour + local.minute / 60
    if sunrise <= hour < sunset:
        return LightCondition.DAYLIGHT
    if local.month in WHITE_NIGHT_MONTHS:
        return LightCondition.DUSK
    if sunset <= hour < sunset + TWILIGHT_HOURS or sunrise - TWILIGHT_HOURS <= hour < sunrise:
        return LightCondition.DUSK
    return LightCondition.DARK


# How often each theme comes up, by who reports. Themes the taxonomy does not have are
# skipped; themes it has and these tables do not name get OTHER_THEME_WEIGHT.
REPORT_THEMES = {
    "lighting": 3,
    "road_condition": 3,
    "traffic": 2,
    "vandalism": 1.5,
    "visibility": 1.2,
    "accessibility": 0.8,
    "feeling": 1.2,
    "other": 0.5,
}
YOUTH_THEMES = {
    "lighting": 3,
    "feeling": 3,
    "vandalism": 2.5,
    "visibility": 2,
    "traffic": 1,
    "road_condition": 1,
    "accessibility": 0.3,
    "other": 0.3,
}
OFFICIALS_THEMES = {
    "road_condition": 3,
    "accessibility": 2.5,
    "traffic": 2,
    "visibility": 1.5,
    "lighting": 1,
    "vandalism": 1,
    "feeling": 1,
    "other": 0.3,
}
RESIDENTS_AFTER_DARK_THEMES = {
    "lighting": 4,
    "visibility": 2,
    "feeling": 2,
    "road_condition": 1.5,
    "traffic": 1.5,
    "vandalism": 1,
    "accessibility": 1,
    "other": 0.3,
}
OTHER_THEME_WEIGHT = 0.3
LIGHTING_THEME = "lighting"

# Status mixes: young reports are mostly new, old ones mostly dealt with.
S = Status
FRESH = Weighted(
    {
        S.NEW: 55,
        S.CONFIRMED: 20,
        S.ASSIGNED: 10,
        S.IN_PROGRESS: 5,
        S.RESOLVED: 3,
        S.DUPLICATE: 4,
        S.REJECTED: 3,
    }
)
RECENT = Weighted(
    {
        S.NEW: 12,
        S.CONFIRMED: 15,
        S.ASSIGNED: 15,
        S.IN_PROGRESS: 15,
        S.RESOLVED: 28,
        S.DUPLICATE: 7,
        S.REJECTED: 8,
    }
)
SETTLED = Weighted(
    {
        S.NEW: 3,
        S.CONFIRMED: 5,
        S.ASSIGNED: 5,
        S.IN_PROGRESS: 7,
        S.RESOLVED: 62,
        S.DUPLICATE: 8,
        S.REJECTED: 10,
    }
)
UNIT_STATUSES = (S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED)  # these carry the default unit

# The ways an observation reaches its status from new, with weights. Checked against
# ALLOWED_TRANSITIONS before any is used (see history_path).
PATHS = {
    S.NEW: [((), 1)],
    S.CONFIRMED: [((S.CONFIRMED,), 1)],
    S.ASSIGNED: [
        ((S.CONFIRMED, S.ASSIGNED), 6),
        ((S.ASSIGNED,), 3),
        (
            (S.CONFIRMED, S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED, S.CONFIRMED, S.ASSIGNED),
            1,
        ),  # reopened
    ],
    S.IN_PROGRESS: [
        ((S.CONFIRMED, S.ASSIGNED, S.IN_PROGRESS), 3),
        ((S.ASSIGNED, S.IN_PROGRESS), 1),
    ],
    S.RESOLVED: [
        ((S.CONFIRMED, S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED), 6),
        ((S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED), 3),
        ((S.CONFIRMED, S.RESOLVED), 1),
    ],
    S.DUPLICATE: [((S.DUPLICATE,), 4), ((S.CONFIRMED, S.DUPLICATE), 1)],
    S.REJECTED: [((S.REJECTED,), 3), ((S.CONFIRMED, S.REJECTED), 1)],
}


def status_mix_for_age(days: float) -> Weighted:
    if days < 30:
        return FRESH
    if days < 180:
        return RECENT
    return SETTLED


def history_path(rng: random.Random, status: str) -> tuple[str, ...]:
    path = Weighted(dict(PATHS[status])).draw(rng)
    previous = S.NEW
    for step in path:
        if step not in ALLOWED_TRANSITIONS[previous]:
            raise DemoError(
                _("%(old)s → %(new)s is not an allowed transition.")
                % {"old": previous, "new": step}
            )
        previous = step
    return path


class CategoryPicker:
    """Categories from the database, picked by theme weights; positive ones by share."""

    def __init__(self, categories: list[Category]):
        categories = sorted(categories, key=lambda c: (c.theme.code, c.code))
        self.positive = [c for c in categories if c.is_positive]
        self.by_theme: dict[str, list[Category]] = {}
        for category in categories:
            if not category.is_positive:
                self.by_theme.setdefault(category.theme.code, []).append(category)
        if not self.by_theme:
            raise DemoError(
                _(
                    "There are no active problem categories. Run `manage.py migrate`, which "
                    "seeds them, or add some in the admin."
                )
            )

    @classmethod
    def from_database(cls) -> "CategoryPicker":
        return cls(
            list(Category.objects.filter(active=True).select_related("theme", "default_unit"))
        )

    def weights(self, themes: dict[str, float]) -> Weighted:
        return Weighted({code: themes.get(code, OTHER_THEME_WEIGHT) for code in self.by_theme})

    def pick(self, rng: random.Random, theme_weights: Weighted, positive_share: float):
        if self.positive and rng.random() < positive_share:
            return rng.choice(self.positive)
        return rng.choice(self.by_theme[theme_weights.draw(rng)])


SEVERITIES = Weighted({1: 10, 2: 25, 3: 30, 4: 22, 5: 13})


def severity_and_safety(rng: random.Random, category: Category, light: str):
    """Severity 1–5 and perceived safety 1–5 (5 = very safe); a positive place gets no severity."""
    if category.is_positive:
        return None, rng.choice((4, 5, 5))
    severity = SEVERITIES.draw(rng)
    safety = 5 - severity + rng.choice((-1, 0, 0, 1))
    if light == LightCondition.DARK:
        safety -= 1
    return severity, min(4, max(1, safety))


def position(rng: random.Random, sources: Weighted):
    source = sources.draw(rng)
    accuracy = round(rng.uniform(3, 30), 1) if source == PositionSource.GPS else None
    return source, accuracy


def spread_times(rng: random.Random, start: datetime, end: datetime, steps: int):
    """`steps` moments after start, in order, days apart when there is room, all before end."""
    gaps = [rng.uniform(0.5, 12) for _ in range(steps)]
    room = (end - start).total_seconds() / 86400 * 0.9
    scale = min(1.0, room / sum(gaps)) if gaps else 1.0
    moments, at = [], start
    for gap in gaps:
        at += timedelta(days=gap * scale)
        moments.append(at)
    return moments


# --- The demo municipality ----------------------------------------------------------------

DEMO_CODE = "demo"
DEMO_NAMES = {"name_fi": "Lyhtylä", "name_sv": "Lyktby", "name_en": "Lyhtylä (demo)"}
DEMO_CENTRE = (26.0, 61.5)  # lon, lat
DEMO_SEED = 20251201
# Everything in the demo happens before this moment; move it to make the demo look newer.
DEMO_ANCHOR = datetime(2025, 12, 1, 12, 0, tzinfo=HELSINKI)
DEMO_NAMESPACE = UUID("6c7968e7-9a1d-5d3e-8f6b-6c7968747961")
# Published on purpose, and printed by load_demo with a warning; the variable overrides it.
DEMO_PASSWORD = "lyhty-demo"  # noqa: S105
PASSWORD_VARIABLE = "LYHTY_DEMO_PASSWORD"  # noqa: S105  the variable's name, not a secret

# code, Finnish, Swedish, population, seed point (metres east and north of the centre).
DEMO_DISTRICTS = [
    ("01", "Keskusta", "Centrum", 4200, (0, 0)),
    ("02", "Asemanseutu", "Stationsområdet", 3100, (1600, -900)),
    ("03", "Rantala", "Strandby", 2600, (-1800, -1400)),
    ("04", "Mäntymäki", "Tallbacka", 2900, (-2000, 1600)),
    ("05", "Koivula", "Björkby", 3400, (2100, 1700)),
    ("06", "Niittykylä", "Ängsby", 1500, (-3300, -200)),
    ("07", "Teollisuusalue", "Industriområdet", 300, (2900, -2300)),
    ("08", "Kirkonkylä", "Kyrkbyn", 1900, (300, 3300)),
]

# Where resident reports pile up: (x, y, spread in metres, weight, theme emphasis).
DEMO_HOTSPOTS = [
    ((0, 0), 260, 30, {"traffic": 2}),  # the centre
    ((1550, -850), 200, 14, {"vandalism": 3}),  # the station
    ((1250, -600), 40, 5, {"lighting": 4, "visibility": 3, "feeling": 2}),  # the underpass
    ((300, 3000), 220, 9, {}),  # Kirkonkylä
    ((2000, 1600), 200, 9, {"vandalism": 1.5}),  # the Koivula shops
]
BACKGROUND_SHARE = 0.2  # anywhere in the municipality
OUTSIDE_SHARE = 0.015  # just over the boundary: no district

WALK_OBSERVATIONS = 1000
RESIDENT_REPORTS = 2000


@dataclass(frozen=True)
class DemoWalk:
    join_code: str
    title: str
    group: str
    state: str
    starts_at: datetime
    hours: float
    waypoints: tuple[tuple[int, int], ...]
    observations: int
    themes: dict[str, float]
    positive_share: float
    theme_code: str | None = None
    follow_up_notes: str = ""
    track_share: float = 1.0  # how much of the route the recorded track covers


DEMO_WALKS = [
    DemoWalk(
        join_code="DEMYUTH2",
        title="Nuorten hämäräkävely Asemanseudulta Rantalaan",
        group=ParticipantGroup.YOUTH,
        state=WalkState.CLOSED,
        starts_at=datetime(2024, 11, 14, 16, 30, tzinfo=HELSINKI),
        hours=2,
        waypoints=(
            (1500, -800),
            (900, -500),
            (300, -150),
            (0, 0),
            (-400, 250),
            (-900, -300),
            (-1500, -1000),
            (-1900, -1300),
        ),
        observations=350,
        themes=YOUTH_THEMES,
        positive_share=0.12,
        theme_code="feeling",
        follow_up_notes="Jälkitapaaminen pidetty nuorisotalolla. Alikulun valaistus uusitaan, "
        "asemalle lisävalaistus ja kameravalvonnan selvitys.",
    ),
    DemoWalk(
        join_code="DEMSTAFF",
        title="Johdon turvallisuuskävely Kirkonkylästä Koivulaan",
        group=ParticipantGroup.OFFICIALS,
        state=WalkState.FOLLOW_UP,
        starts_at=datetime(2025, 9, 16, 10, 0, tzinfo=HELSINKI),
        hours=2,
        waypoints=(
            (300, 2900),
            (200, 1800),
            (50, 800),
            (0, 0),
            (800, 600),
            (1500, 1200),
            (2000, 1600),
        ),
        observations=250,
        themes=OFFICIALS_THEMES,
        positive_share=0.08,
        follow_up_notes="Havainnot käsitellään teknisen lautakunnan kokouksessa.",
    ),
    DemoWalk(
        join_code="DEMASUK2",
        title="Asukkaiden iltakävely Mäntymäestä asemalle",
        group=ParticipantGroup.RESIDENTS,
        state=WalkState.WALKING,
        starts_at=datetime(2025, 11, 27, 18, 0, tzinfo=HELSINKI),
        hours=2,
        waypoints=(
            (-1900, 1500),
            (-1200, 900),
            (-500, 400),
            (0, 0),
            (600, -200),
            (1200, -900),
            (1700, -1000),
        ),
        observations=400,
        themes=RESIDENTS_AFTER_DARK_THEMES,
        positive_share=0.1,
        theme_code="lighting",
        track_share=0.7,
    ),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    superuser: bool = False
    group: str | None = None
    unit: str | None = None


DEMO_USERS = [
    DemoUser("demo-admin", "admin", superuser=True),
    DemoUser("demo-planner", "planner", group=PLANNERS_GROUP),
    DemoUser("demo-lighting", "staff", group=STAFF_GROUP, unit="street_lighting"),
    DemoUser("demo-streets", "staff", group=STAFF_GROUP, unit="streets_parks"),
]


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)
    observations: int = 0
    observations_in_district: int = 0
    walks: list[SafetyWalk] = field(default_factory=list)
    users: list[tuple[DemoUser, bool]] = field(default_factory=list)  # (user, created now)
    password_from_environment: bool = False
    password: str = ""

    @property
    def created_anything(self) -> bool:
        return any(self.created.values())


def demo_password() -> tuple[str, bool]:
    from_environment = os.environ.get(PASSWORD_VARIABLE, "")
    return (from_environment, True) if from_environment else (DEMO_PASSWORD, False)


def load_demo() -> DemoReport:
    """Build Lyhtylä, or complete it; what is already there is reused, never doubled."""
    rng = random.Random(DEMO_SEED)  # noqa: S311  reproducible on purpose, not a secret
    report = DemoReport()
    report.password, report.password_from_environment = demo_password()
    with transaction.atomic():
        centre = _national_point(DEMO_CENTRE)
        boundary = _demo_boundary(rng, centre)
        municipality = _demo_municipality(report, boundary)
        _demo_districts(rng, report, municipality, centre, boundary)
        users = _demo_users(report)
        walks = [_demo_walk(rng, report, municipality, spec, centre) for spec in DEMO_WALKS]
        _demo_observations(rng, report, municipality, centre, boundary, walks, users)
    return report


def _national_point(lonlat) -> tuple[float, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(p), ST_Y(p) FROM ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), %s), %s) p",
            [*lonlat, WGS84, ETRS_TM35FIN],
        )
        return cursor.fetchone()


def _to_wgs84(geometry: shapely.Geometry) -> GEOSGeometry:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsEWKB(ST_Transform(ST_GeomFromWKB(%s, %s), %s))",
            [shapely.to_wkb(geometry), ETRS_TM35FIN, WGS84],
        )
        return GEOSGeometry(memoryview(cursor.fetchone()[0]))


def _demo_boundary(rng: random.Random, centre) -> shapely.Polygon:
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


def _demo_municipality(report: DemoReport, boundary) -> Municipality:
    municipality = Municipality.objects.filter(code=DEMO_CODE).first()
    report.created["municipality"] = int(municipality is None)
    if municipality is None:
        municipality = Municipality.objects.create(
            code=DEMO_CODE,
            country="FI",
            national_srid=ETRS_TM35FIN,
            geom=_to_wgs84(shapely.MultiPolygon([boundary])),
            **DEMO_NAMES,
        )
    return municipality


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


def _demo_districts(rng, report, municipality, centre, boundary) -> None:
    """Voronoi cells of seeded points, clipped to the boundary: computed in PostGIS."""
    cx, cy = centre
    points = [
        (cx + dx + rng.uniform(-200, 200), cy + dy + rng.uniform(-200, 200))
        for *_names, (dx, dy) in DEMO_DISTRICTS
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
    for n, (code, name_fi, name_sv, population, _seed) in enumerate(DEMO_DISTRICTS, start=1):
        _district, was_created = District.objects.get_or_create(
            municipality=municipality,
            code=code,
            defaults={
                "name": name_fi,
                "name_sv": name_sv,
                "population": population,
                "geom": GEOSGeometry(memoryview(cells[n])),
            },
        )
        created += was_created
    report.created["districts"] = created


def _demo_users(report: DemoReport) -> dict[str, object]:
    """One account per role. A password is set only when the account is made here."""
    user_model = get_user_model()
    users, created = {}, 0
    for spec in DEMO_USERS:
        user, was_created = user_model.objects.get_or_create(
            username=spec.username,
            defaults={
                "email": f"{spec.username}@lyhty.example",
                "is_staff": True,
                "is_superuser": spec.superuser,
            },
        )
        if was_created:
            user.set_password(report.password)
            user.save(update_fields=["password"])
            if spec.group:
                user.groups.add(Group.objects.get_or_create(name=spec.group)[0])
            unit = ResponsibleUnit.objects.filter(code=spec.unit).first() if spec.unit else None
            if unit:
                unit.members.add(user)
        users[spec.username] = user
        report.users.append((spec, was_created))
        created += was_created
    report.created["users"] = created
    return users


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


class _PlacedWalk(NamedTuple):
    walk: SafetyWalk
    spec: DemoWalk
    route: shapely.LineString  # in metres, for placing the walk's observations


def _demo_walk(rng, report, municipality, spec: DemoWalk, centre) -> _PlacedWalk:
    route = shapely.LineString(_route(spec, rng, centre))
    track = _track(rng, route, spec.track_share)
    walk = SafetyWalk.objects.filter(join_code=spec.join_code).first()
    if walk is not None and walk.municipality_id != municipality.pk:
        raise DemoError(
            _("The join code %(code)s belongs to a walk outside the demo municipality.")
            % {"code": spec.join_code}
        )
    report.created["walks"] = report.created.get("walks", 0) + int(walk is None)
    if walk is None:
        route_wgs84 = _to_wgs84(route)
        walk = SafetyWalk.objects.create(
            municipality=municipality,
            title=spec.title,
            group=spec.group,
            state=spec.state,
            starts_at=spec.starts_at,
            ends_at=spec.starts_at + timedelta(hours=spec.hours),
            theme=Theme.objects.filter(code=spec.theme_code).first() if spec.theme_code else None,
            route=route_wgs84,
            track=_to_wgs84(shapely.MultiLineString([track])),
            join_code=spec.join_code,
            follow_up_notes=spec.follow_up_notes,
        )
        walk.districts.set(municipality.districts.filter(geom__intersects=route_wgs84))
    report.walks.append(walk)
    return _PlacedWalk(walk, spec, route)


@dataclass
class _Draft:
    """An observation before it has its history and status times."""

    uuid: UUID
    x: float
    y: float
    category: Category
    observed_at: datetime
    light: str
    source: str
    accuracy: float | None
    status: str
    walk: SafetyWalk | None = None
    duplicate_of: "_Draft | None" = None


WALK_SOURCES = Weighted({PositionSource.GPS: 9, PositionSource.MAP: 1})
REPORT_SOURCES = Weighted(
    {PositionSource.MAP: 55, PositionSource.GPS: 35, PositionSource.ADDRESS: 10}
)


def _demo_observations(rng, report, municipality, centre, boundary, walks, users) -> None:
    picker = CategoryPicker.from_database()
    drafts = []
    for walk in walks:
        drafts += _walk_drafts(rng, picker, walk, len(drafts))
    drafts += _report_drafts(rng, picker, centre, boundary, len(drafts))
    _link_duplicates(rng, drafts)

    rows, histories = [], {}
    for draft in drafts:
        row, history = _finish(rng, draft, users)
        rows.append(row)
        histories[draft.uuid] = history
    result = insert_observations(
        rows, municipality_id=municipality.pk, srid=ETRS_TM35FIN, keep_ids=True
    )
    changes = [
        StatusChange(observation_id=result.ids[row_uuid], **change)
        for row_uuid, history in histories.items()
        if row_uuid in result.ids
        for change in history
    ]
    StatusChange.objects.bulk_create(changes, batch_size=2000)
    report.created["observations"] = result.inserted
    report.created["status_changes"] = len(changes)
    demo = municipality.observations.filter(uuid__in=list(histories))
    report.observations = demo.count()
    report.observations_in_district = demo.filter(district__isnull=False).count()


def _walk_drafts(rng, picker: CategoryPicker, placed: _PlacedWalk, first: int) -> list[_Draft]:
    walk, spec, route = placed
    ends_at = spec.starts_at + timedelta(hours=spec.hours)
    weights = picker.weights(spec.themes)
    # Walkers stop to talk at a few places, and log most there.
    stops = [rng.uniform(0, route.length) for _ in range(6)]
    minutes = spec.hours * 60
    drafts = []
    for i in range(spec.observations):
        if rng.random() < 0.6:
            along = rng.gauss(rng.choice(stops), 40)
        else:
            along = rng.uniform(0, route.length)
        on_route = route.interpolate(min(route.length, max(0.0, along)))
        category = picker.pick(rng, weights, spec.positive_share)
        observed_at = spec.starts_at + timedelta(
            minutes=minutes * along / route.length + rng.uniform(-5, 5)
        )
        observed_at = min(max(observed_at, spec.starts_at), ends_at)
        source, accuracy = position(rng, WALK_SOURCES)
        status = _walk_status(rng, spec.state, category)
        drafts.append(
            _Draft(
                uuid=uuid5(DEMO_NAMESPACE, f"observation/{first + i}"),
                x=round(on_route.x + rng.gauss(0, 12), 2),
                y=round(on_route.y + rng.gauss(0, 12), 2),
                category=category,
                observed_at=observed_at,
                light=light_at(observed_at.astimezone(HELSINKI)),
                source=source,
                accuracy=accuracy,
                status=status,
                walk=walk,
            )
        )
    return drafts


def _walk_status(rng, state: str, category: Category) -> str:
    mix = {WalkState.CLOSED: SETTLED, WalkState.FOLLOW_UP: RECENT}.get(state, FRESH)
    return _status(rng, mix, category)


def _status(rng, mix, category: Category) -> str:
    status = mix.draw(rng)
    if category.is_positive and status not in (S.NEW, S.CONFIRMED):
        return S.CONFIRMED  # nothing to fix at a safe place
    return status


def _report_drafts(rng, picker, centre, boundary, first: int) -> list[_Draft]:
    cx, cy = centre
    shapely.prepare(boundary)
    min_x, min_y, max_x, max_y = boundary.buffer(1500).bounds
    hotspot_weights = [weight for _xy, _sd, weight, _themes in DEMO_HOTSPOTS]
    hot_share = 1 - BACKGROUND_SHARE - OUTSIDE_SHARE
    drafts = []
    for i in range(RESIDENT_REPORTS):
        where = rng.random()
        emphasis = {}
        if where < hot_share:
            (dx, dy), sd, _weight, emphasis = rng.choices(DEMO_HOTSPOTS, weights=hotspot_weights)[0]
            x, y = cx + rng.gauss(dx, sd), cy + rng.gauss(dy, sd)
        else:
            want_inside = where < 1 - OUTSIDE_SHARE
            while True:
                x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
                if shapely.contains_xy(boundary, x, y) == want_inside:
                    break
        themes = {code: w * emphasis.get(code, 1) for code, w in REPORT_THEMES.items()}
        category = picker.pick(rng, picker.weights(themes), positive_share=0.06)
        observed_at = _report_time(rng, category)
        local = observed_at.astimezone(HELSINKI)
        light = light_at(local) if rng.random() < 0.9 or _is_lighting(category) else ""
        source, accuracy = position(rng, REPORT_SOURCES)
        age = (DEMO_ANCHOR - observed_at).total_seconds() / 86400
        drafts.append(
            _Draft(
                uuid=uuid5(DEMO_NAMESPACE, f"observation/{first + i}"),
                x=round(x, 2),
                y=round(y, 2),
                category=category,
                observed_at=observed_at,
                light=light,
                source=source,
                accuracy=accuracy,
                status=_status(rng, status_mix_for_age(age), category),
            )
        )
    return drafts


def _is_lighting(category: Category) -> bool:
    return category.theme.code == LIGHTING_THEME


def _report_time(rng: random.Random, category: Category) -> datetime:
    """Some time in the two years before the anchor; lamps are noticed when it is dark."""
    lighting = _is_lighting(category)
    while True:
        day = (DEMO_ANCHOR - timedelta(days=rng.uniform(1, 730))).date()
        if not lighting or day.month in DARK_MONTHS or rng.random() < 0.15:
            break
    sunrise, sunset = SUN_AT_61N[day.month]
    if lighting and rng.random() < 0.85:
        hour = sunset + rng.uniform(0.2, 5.5)
    elif category.is_positive:
        hour = rng.uniform(9, 19)
    else:
        hour = rng.triangular(6.5, 23.5, 16)
    hour = min(hour, 23.99)
    midnight = datetime(day.year, day.month, day.day, tzinfo=HELSINKI)
    return midnight + timedelta(hours=hour)


DUPLICATE_WITHIN_M = 400


def _link_duplicates(rng: random.Random, drafts: list[_Draft]) -> None:
    """A duplicate is a second report of the same thing: the nearest earlier report in its
    category, if there is one near enough, and it is placed next to it; if not, rejected."""
    for draft in drafts:
        if draft.status != S.DUPLICATE:
            continue
        originals = [
            o
            for o in drafts
            if o.category is draft.category
            and o.status != S.DUPLICATE
            and o.observed_at < draft.observed_at
            and math.dist((o.x, o.y), (draft.x, draft.y)) < DUPLICATE_WITHIN_M
        ]
        if not originals:
            draft.status = S.REJECTED
            continue
        original = min(originals, key=lambda o: math.dist((o.x, o.y), (draft.x, draft.y)))
        draft.duplicate_of = original
        draft.x = round(original.x + rng.gauss(0, 8), 2)
        draft.y = round(original.y + rng.gauss(0, 8), 2)


def _finish(rng, draft: _Draft, users) -> tuple[ObservationRow, list[dict]]:
    """The observation's row, and the status changes that brought it to its status."""
    category = draft.category
    created_at = draft.observed_at + timedelta(
        seconds=rng.uniform(2, 90) if draft.walk else rng.uniform(30, 7200)
    )
    unit = category.default_unit if draft.status in UNIT_STATUSES else None
    path = history_path(rng, draft.status)
    moments = spread_times(rng, created_at, DEMO_ANCHOR, len(path))
    history, previous, assigned = [], S.NEW, None
    for step, at in zip(path, moments, strict=True):
        if step in UNIT_STATUSES and unit is not None:
            from_unit, assigned = assigned, unit
        else:
            from_unit = assigned
        history.append(
            {
                "from_status": previous,
                "to_status": step,
                "from_unit": from_unit,
                "to_unit": assigned,
                "changed_by": _changer(step, unit, users),
                "changed_at": at,
            }
        )
        previous = step
    severity, safety = severity_and_safety(rng, category, draft.light)
    if draft.walk is None and rng.random() < 0.08:
        severity, safety = None, None  # the form leaves both optional
    row = ObservationRow(
        uuid=draft.uuid,
        x=draft.x,
        y=draft.y,
        category_id=category.pk,
        status=draft.status,
        visibility=Visibility.INTERNAL if category.is_sensitive else Visibility.PUBLIC,
        is_positive=category.is_positive,
        light_condition=draft.light,
        position_source=draft.source,
        observed_at=draft.observed_at,
        created_at=created_at,
        updated_at=moments[-1] if moments else created_at,
        walk_id=draft.walk.pk if draft.walk else None,
        severity=severity,
        perceived_safety=safety,
        accuracy_m=draft.accuracy,
        responsible_unit_id=unit.pk if unit else None,
        duplicate_of=draft.duplicate_of.uuid if draft.duplicate_of else None,
    )
    return row, history


def _changer(step: str, unit, users):
    """Planners sort and assign; the department that owns the unit does the work."""
    if step in (S.IN_PROGRESS, S.RESOLVED) and unit is not None:
        worker = {"street_lighting": "demo-lighting", "streets_parks": "demo-streets"}
        return users.get(worker.get(unit.code, "demo-planner"))
    return users.get("demo-planner")


# --- Synthetic loads ----------------------------------------------------------------------

LOAD_BATCH = 100_000
LOAD_YEARS = 3
LOAD_SOURCES = Weighted({PositionSource.MAP: 50, PositionSource.GPS: 45, PositionSource.ADDRESS: 5})
# When people report, by local hour (lighting reports are taken care of separately).
REPORT_HOURS = Weighted(
    dict(enumerate([1, 1, 1, 1, 1, 2, 4, 7, 9, 9, 9, 9, 9, 9, 9, 10, 10, 10, 9, 8, 7, 5, 3, 2]))
)

# Cluster centres: in each district as many as its share of the population (districts
# without a population count as average ones), or anywhere inside the boundary when the
# municipality has no districts. Ordered, so that a seed always gives the same centres.
_CLUSTER_CENTRES_IN_DISTRICTS = """
WITH weighted AS (
    SELECT d.id, d.geom, coalesce(d.population, avg(d.population) OVER (), 1) AS weight
    FROM geo_district d WHERE d.municipality_id = %(municipality)s
), shares AS (
    SELECT id, geom, greatest(1, round(%(n)s * weight / sum(weight) OVER ()))::int AS n
    FROM weighted
)
SELECT ST_X(p.geom), ST_Y(p.geom)
FROM shares, ST_Dump(ST_GeneratePoints(ST_Transform(shares.geom, %(srid)s), shares.n, %(seed)s)) p
ORDER BY shares.id, p.path
"""
_CLUSTER_CENTRES_IN_BOUNDARY = """
SELECT ST_X(p.geom), ST_Y(p.geom)
FROM geo_municipality m,
     ST_Dump(ST_GeneratePoints(ST_Transform(m.geom, %(srid)s), %(n)s, %(seed)s)) p
WHERE m.id = %(municipality)s
ORDER BY p.path
"""
_NATIONAL_BOUNDARY = (
    "SELECT ST_AsBinary(ST_Transform(geom, national_srid)) FROM geo_municipality WHERE id = %s"
)


@dataclass
class LoadReport:
    requested: int
    inserted: int = 0
    with_district: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.inserted / self.seconds if self.seconds else 0.0


def generate_load(
    municipality: Municipality,
    count: int,
    *,
    seed: int,
    batch_size: int = LOAD_BATCH,
    on_batch: Callable[[LoadReport, int], None] | None = None,
) -> LoadReport:
    """`count` resident reports clustered inside the municipality, over the last three years.

    The same municipality and seed give the same rows and UUIDs, so repeating a run adds
    nothing; another seed adds another load. Each batch is committed on its own, so memory
    stays bounded and a long run shows progress (on_batch gets the report and rows made).
    """
    if count <= 0:
        raise DemoError(
            _("The count must be a positive whole number, not %(count)s.") % {"count": count}
        )
    rows = _LoadRows(municipality, seed)
    clusters = _load_clusters(rows.rng, municipality, seed, count)
    boundary = _national_boundary(municipality)

    def make_batch(size: int) -> list[ObservationRow]:
        points = _clustered_points(rows.rng, clusters, boundary, size)
        return [rows.make(x, y) for x, y in points]

    sizes = [min(batch_size, count - start) for start in range(0, count, batch_size)]
    report, made, started = LoadReport(requested=count), 0, time.monotonic()
    # Python makes the next batch while PostgreSQL inserts this one: two cores, both busy.
    # Only this thread touches the database; the maker only draws random numbers, in order.
    with ThreadPoolExecutor(max_workers=1) as maker:
        next_batch = maker.submit(make_batch, sizes[0])
        for i, size in enumerate(sizes):
            batch = next_batch.result()
            if i + 1 < len(sizes):
                next_batch = maker.submit(make_batch, sizes[i + 1])
            result = insert_observations(
                batch, municipality_id=municipality.pk, srid=municipality.national_srid
            )
            made += size
            report.inserted += result.inserted
            report.with_district += result.with_district
            report.seconds = time.monotonic() - started
            if on_batch:
                on_batch(report, made)
    return report


def _national_boundary(municipality: Municipality):
    with connection.cursor() as cursor:
        cursor.execute(_NATIONAL_BOUNDARY, [municipality.pk])
        boundary = shapely.from_wkb(bytes(cursor.fetchone()[0]))
    shapely.prepare(boundary)
    return boundary


def _load_clusters(rng, municipality, seed: int, count: int):
    """Cluster centres sampled in PostGIS, each with a spread and a weight."""
    params = {
        "n": min(400, max(20, count // 2000)),
        "seed": seed % 2_000_000_000 + 1,  # ST_GeneratePoints wants a positive seed
        "municipality": municipality.pk,
        "srid": municipality.national_srid,
    }
    with connection.cursor() as cursor:
        cursor.execute(_CLUSTER_CENTRES_IN_DISTRICTS, params)
        centres = cursor.fetchall()
        if not centres:
            cursor.execute(_CLUSTER_CENTRES_IN_BOUNDARY, params)
            centres = cursor.fetchall()
    spreads = [rng.uniform(40, 500) for _ in centres]
    weights = [rng.paretovariate(2.0) for _ in centres]  # a few hot spots, many quiet ones
    return centres, spreads, weights


def _clustered_points(rng, clusters, boundary, size: int) -> list[tuple[float, float]]:
    """Gaussian clouds round the centres; a point that falls outside is drawn again."""
    centres, spreads, weights = clusters
    chosen = rng.choices(range(len(centres)), weights=weights, k=size)
    points = [None] * size
    todo = list(range(size))
    for _attempt in range(8):
        xs = [centres[chosen[i]][0] + rng.gauss(0, spreads[chosen[i]]) for i in todo]
        ys = [centres[chosen[i]][1] + rng.gauss(0, spreads[chosen[i]]) for i in todo]
        ok = shapely.contains_xy(boundary, xs, ys)
        for i, x, y, good in zip(todo, xs, ys, ok, strict=True):
            if good:
                points[i] = (x, y)
        todo = [i for i, good in zip(todo, ok, strict=True) if not good]
        if not todo:
            break
    for i in todo:  # the centre itself is inside
        points[i] = centres[chosen[i]]
    return points


class _LoadRows:
    """Makes one synthetic resident report at a time, from two seeded generators."""

    POSITIVE_SHARE = 0.06
    KEEP_ORIGINALS = 5000  # recent reports a duplicate may point at

    def __init__(self, municipality: Municipality, seed: int):
        self.picker = CategoryPicker.from_database()
        self.themes = self.picker.weights(REPORT_THEMES)
        # Seeded and reproducible on purpose; none of this is a secret. UUIDs have their own
        # generator, so that the n-th UUID of a seed never depends on anything else.
        self.rng = random.Random(f"lyhty-load:{municipality.code}:{seed}")  # noqa: S311
        self.uuid_rng = random.Random(f"lyhty-load-uuid:{municipality.code}:{seed}")  # noqa: S311
        self.now = timezone.now()
        self.today = self.now.astimezone(HELSINKI).date()
        self.originals: list[UUID] = []

    def make(self, x: float, y: float) -> ObservationRow:
        rng, now = self.rng, self.now
        category = self.picker.pick(rng, self.themes, self.POSITIVE_SHARE)
        observed_at = self.observed_at(category)
        created_at = min(observed_at + timedelta(seconds=rng.uniform(5, 3600)), now)
        age = (now - observed_at).total_seconds() / 86400
        status = _status(rng, status_mix_for_age(age), category)
        row_uuid = UUID(int=self.uuid_rng.getrandbits(128), version=4)
        duplicate_of = None
        if status == S.DUPLICATE and self.originals:
            duplicate_of = rng.choice(self.originals)
        elif status == S.DUPLICATE:
            status = S.REJECTED  # nothing yet to be a duplicate of
        else:
            self.remember(row_uuid)
        light = light_at(observed_at.astimezone(HELSINKI))
        severity, safety = severity_and_safety(rng, category, light)
        source, accuracy = position(rng, LOAD_SOURCES)
        updated_at = created_at
        if status != S.NEW:
            updated_at = min(created_at + timedelta(days=rng.uniform(0.5, 30)), now)
        return ObservationRow(
            uuid=row_uuid,
            x=x,
            y=y,
            category_id=category.pk,
            status=status,
            visibility=Visibility.INTERNAL if category.is_sensitive else Visibility.PUBLIC,
            is_positive=category.is_positive,
            light_condition=light,
            position_source=source,
            observed_at=observed_at,
            created_at=created_at,
            updated_at=updated_at,
            severity=severity,
            perceived_safety=safety,
            accuracy_m=accuracy,
            responsible_unit_id=category.default_unit_id if status in UNIT_STATUSES else None,
            duplicate_of=duplicate_of,
        )

    def observed_at(self, category: Category) -> datetime:
        rng = self.rng
        day = self.today - timedelta(days=int(rng.uniform(0, LOAD_YEARS * 365)))
        if _is_lighting(category) and rng.random() < 0.8:
            hour = SUN_AT_61N[day.month][1] + rng.uniform(0.2, 5.5)
        else:
            hour = REPORT_HOURS.draw(rng) + rng.random()
        midnight = datetime(day.year, day.month, day.day, tzinfo=HELSINKI)
        return min(midnight + timedelta(hours=min(hour, 23.99)), self.now - timedelta(minutes=5))

    def remember(self, original: UUID) -> None:
        if len(self.originals) < self.KEEP_ORIGINALS:
            self.originals.append(original)
        else:
            self.originals[self.rng.randrange(self.KEEP_ORIGINALS)] = original
