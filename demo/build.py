# SPDX-License-Identifier: EUPL-1.2
"""The demo municipality Lyhtylä: `manage.py load_demo`.

The demo is the same on every run: one seeded random generator, UUIDs from a fixed
namespace, dates moved to the day of the first load (demo.dates), geometry built in
EPSG:3067 metres. What is
already in the database is reused, never doubled.

- the seed taxonomy (`data/taxonomy.json`), what of it is missing
- place: the boundary, districts and walks with their routes and tracks
- people: an account for each role
- survey: the everyday-safety survey, a template and an open copy
- observations: the walks' and residents' observations and their history
- patterns: what real observations look like, shared with the synthetic loads in `load`
"""

import os
import random
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from demo.dates import DemoClock
from demo.observations import demo_observations
from demo.patterns import DemoError
from demo.people import DemoUser, demo_users
from demo.place import (
    DEMO_CENTRE,
    DEMO_CODE,
    DEMO_WALKS,
    demo_boundary,
    demo_districts,
    demo_municipality,
    demo_walk,
    national_point,
)
from demo.plan import demo_plan
from demo.survey import demo_surveys
from walks.models import Category, ResponsibleUnit, SafetyWalk, Theme
from walks.taxonomy import seed

__all__ = [
    "DEMO_CODE",
    "DEMO_PASSWORD",
    "PASSWORD_VARIABLE",
    "DemoError",
    "DemoReport",
    "demo_password",
    "load_demo",
]

DEMO_SEED = 20251201
# Published on purpose, and printed by load_demo with a warning; the variable overrides it.
# With DEBUG off the variable is required: load_demo refuses the published password.
DEMO_PASSWORD = "lyhty-demo"  # noqa: S105
PASSWORD_VARIABLE = "LYHTY_DEMO_PASSWORD"  # noqa: S105  the variable's name, not a secret


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


def demo_clock(municipality, now: datetime) -> DemoClock:
    """The day of the demo's first load, read back from its first walk; else `now`'s."""
    first = DEMO_WALKS[0]
    walk = SafetyWalk.objects.filter(municipality=municipality, join_code=first.join_code).first()
    if walk is not None:
        return DemoClock.of_walk(walk.starts_at, first.starts_at)
    return DemoClock.as_of(now)


def load_demo(now: datetime | None = None) -> DemoReport:
    """Build Lyhtylä, or complete it; what is already there is reused, never doubled.

    `now` (default: the clock's) dates a demo loaded for the first time (demo.dates)."""
    # Every step draws from this one generator, in this order: reorder them and the demo changes.
    rng = random.Random(DEMO_SEED)  # noqa: S311  reproducible on purpose, not a secret
    report = DemoReport()
    report.password, report.password_from_environment = demo_password()
    if not settings.DEBUG and not report.password_from_environment:
        # Refused before anything is written: a server others can reach gets no accounts
        # with a password printed in the README.
        raise DemoError(
            _(
                "DEBUG is off, so the demo users will not be created with the published "
                "password. Set %(variable)s to a password of your own and run this again."
            )
            % {"variable": PASSWORD_VARIABLE}
        )
    created = report.created
    with transaction.atomic():
        # The taxonomy of data/taxonomy.json, as migrate seeds it: what is missing only.
        seed(Theme, Category, ResponsibleUnit)
        centre = national_point(DEMO_CENTRE)
        boundary = demo_boundary(rng, centre)
        municipality, municipality_created = demo_municipality(boundary)
        created["municipality"] = int(municipality_created)
        created["districts"] = demo_districts(rng, municipality, centre, boundary)
        users, report.users = demo_users(report.password, municipality)
        created["users"] = sum(was_created for _spec, was_created in report.users)
        clock = demo_clock(municipality, now or timezone.now())
        walks = [demo_walk(rng, municipality, spec, centre, clock) for spec in DEMO_WALKS]
        report.walks = [placed.walk for placed in walks]
        created["walks"] = sum(placed.created for placed in walks)
        observations = demo_observations(rng, municipality, centre, boundary, walks, users, clock)
        created["observations"] = observations.inserted
        created["status_changes"] = observations.status_changes
        report.observations = observations.total
        report.observations_in_district = observations.in_district
        # The published safety plan, its actions linked to these observations.
        created["plans"] = demo_plan(municipality, clock)
        # The everyday-safety survey: its template, and a copy open for answers.
        created["surveys"] = demo_surveys(municipality)
    return report
