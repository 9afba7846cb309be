# SPDX-License-Identifier: EUPL-1.2
"""The demo's observations: logged on its walks and reported by residents, with history.

Each observation is drafted first (place, category, time, status), duplicates are then
linked to an earlier report nearby, and only then does each get its status history. All
of them go in through the bulk path in one go.
"""

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple
from uuid import UUID, uuid5

import shapely

from demo.patterns import (
    DARK_MONTHS,
    FRESH,
    HELSINKI,
    RECENT,
    REPORT_THEMES,
    SETTLED,
    UNIT_STATUSES,
    CategoryPicker,
    S,
    Weighted,
    history_path,
    hour_after_sunset,
    is_lighting,
    light_at,
    local_moment,
    observation_row,
    position,
    responsible_unit,
    severity_and_safety,
    spread_times,
    status_for,
    status_mix_for_age,
)
from demo.place import DEMO_HOTSPOTS, PlacedWalk
from geo.crs import ETRS_TM35FIN
from walks.bulk import ObservationRow, insert_observations
from walks.models import Category, PositionSource, SafetyWalk, Source, StatusChange, WalkState

# Everything in the demo happens before this moment; move it to make the demo look newer.
DEMO_ANCHOR = datetime(2025, 12, 1, 12, 0, tzinfo=HELSINKI)
DEMO_NAMESPACE = UUID("6c7968e7-9a1d-5d3e-8f6b-6c7968747961")

BACKGROUND_SHARE = 0.2  # anywhere in the municipality
OUTSIDE_SHARE = 0.015  # just over the boundary: no district

RESIDENT_REPORTS = 2000  # the walks log theirs, DemoWalk.observations each
DUPLICATE_WITHIN_M = 400

WALK_SOURCES = Weighted({PositionSource.GPS: 9, PositionSource.MAP: 1})
REPORT_SOURCES = Weighted(
    {PositionSource.MAP: 55, PositionSource.GPS: 35, PositionSource.ADDRESS: 10}
)


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


class DemoObservations(NamedTuple):
    inserted: int  # now, by this load
    status_changes: int  # now, by this load
    total: int  # the demo's observations in the database
    in_district: int


def demo_observations(rng, municipality, centre, boundary, walks, users) -> DemoObservations:
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
    demo = municipality.observations.filter(uuid__in=list(histories))
    return DemoObservations(
        inserted=result.inserted,
        status_changes=len(changes),
        total=demo.count(),
        in_district=demo.filter(district__isnull=False).count(),
    )


def _observation_uuid(n: int) -> UUID:
    return uuid5(DEMO_NAMESPACE, f"observation/{n}")


def _walk_drafts(rng, picker: CategoryPicker, placed: PlacedWalk, first: int) -> list[_Draft]:
    spec, route = placed.spec, placed.route
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
                uuid=_observation_uuid(first + i),
                x=round(on_route.x + rng.gauss(0, 12), 2),
                y=round(on_route.y + rng.gauss(0, 12), 2),
                category=category,
                observed_at=observed_at,
                light=light_at(observed_at.astimezone(HELSINKI)),
                source=source,
                accuracy=accuracy,
                status=status,
                walk=placed.walk,
            )
        )
    return drafts


def _walk_status(rng, state: str, category: Category) -> str:
    mix = {WalkState.CLOSED: SETTLED, WalkState.FOLLOW_UP: RECENT}.get(state, FRESH)
    return status_for(rng, mix, category)


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
        light = light_at(local) if rng.random() < 0.9 or is_lighting(category) else ""
        source, accuracy = position(rng, REPORT_SOURCES)
        age = (DEMO_ANCHOR - observed_at).total_seconds() / 86400
        drafts.append(
            _Draft(
                uuid=_observation_uuid(first + i),
                x=round(x, 2),
                y=round(y, 2),
                category=category,
                observed_at=observed_at,
                light=light,
                source=source,
                accuracy=accuracy,
                status=status_for(rng, status_mix_for_age(age), category),
            )
        )
    return drafts


def _report_time(rng: random.Random, category: Category) -> datetime:
    """Some time in the two years before the anchor; lamps are noticed when it is dark."""
    lighting = is_lighting(category)
    while True:
        day = (DEMO_ANCHOR - timedelta(days=rng.uniform(1, 730))).date()
        if not lighting or day.month in DARK_MONTHS or rng.random() < 0.15:
            break
    if lighting and rng.random() < 0.85:
        hour = hour_after_sunset(rng, day)
    elif category.is_positive:
        hour = rng.uniform(9, 19)
    else:
        hour = rng.triangular(6.5, 23.5, 16)
    return local_moment(day, hour)


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
    unit = responsible_unit(category, draft.status)
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
    row = observation_row(
        category,
        draft.status,
        uuid=draft.uuid,
        x=draft.x,
        y=draft.y,
        light_condition=draft.light,
        position_source=draft.source,
        observed_at=draft.observed_at,
        created_at=created_at,
        updated_at=moments[-1] if moments else created_at,
        walk_id=draft.walk.pk if draft.walk else None,
        source=Source.WALK if draft.walk else Source.RESIDENT,
        severity=severity,
        perceived_safety=safety,
        accuracy_m=draft.accuracy,
        duplicate_of=draft.duplicate_of.uuid if draft.duplicate_of else None,
    )
    return row, history


def _changer(step: str, unit, users):
    """Planners sort and assign; the department that owns the unit does the work."""
    if step in (S.IN_PROGRESS, S.RESOLVED) and unit is not None:
        worker = {"street_lighting": "demo-lighting", "streets_parks": "demo-streets"}
        return users.get(worker.get(unit.code, "demo-planner"))
    return users.get("demo-planner")
