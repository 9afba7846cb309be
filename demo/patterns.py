# SPDX-License-Identifier: EUPL-1.2
"""What real observations look like: when people report, what about, how it ends.

Shared by the demo and by synthetic loads. Every draw takes the caller's seeded generator,
so the same seed gives the same observations.
"""

import itertools
import random
from bisect import bisect
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from walks.bulk import ObservationRow
from walks.models import (
    ALLOWED_TRANSITIONS,
    Category,
    LightCondition,
    PositionSource,
    ResponsibleUnit,
    Status,
    Visibility,
)

HELSINKI = ZoneInfo("Europe/Helsinki")


class DemoError(Exception):
    """Something in the database stops the demo or the load from being built."""


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


# How often each theme comes up in residents' reports; each demo walk has its own table in
# data/demo/lyhtyla.json. Themes the taxonomy does not have are skipped; themes it has and
# a table does not name get OTHER_THEME_WEIGHT.
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


def status_for(rng: random.Random, mix: Weighted, category: Category) -> str:
    status = mix.draw(rng)
    if category.is_positive and status not in (S.NEW, S.CONFIRMED):
        return S.CONFIRMED  # nothing to fix at a safe place
    return status


def responsible_unit(category: Category, status: str) -> ResponsibleUnit | None:
    return category.default_unit if status in UNIT_STATUSES else None


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


def is_lighting(category: Category) -> bool:
    return category.theme.code == LIGHTING_THEME


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


def hour_after_sunset(rng: random.Random, day: date) -> float:
    """When a broken lamp gets noticed: in the hours after the sun has set."""
    return SUN_AT_61N[day.month][1] + rng.uniform(0.2, 5.5)


def local_moment(day: date, hour: float) -> datetime:
    """The day at the given local hour, kept before midnight."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=HELSINKI)
    return midnight + timedelta(hours=min(hour, 23.99))


def observation_row(category: Category, status: str, **fields) -> ObservationRow:
    """A row whose category decides its visibility, positivity and responsible unit."""
    unit = responsible_unit(category, status)
    return ObservationRow(
        category_id=category.pk,
        status=status,
        visibility=Visibility.INTERNAL if category.is_sensitive else Visibility.PUBLIC,
        is_positive=category.is_positive,
        responsible_unit_id=unit.pk if unit else None,
        **fields,
    )
