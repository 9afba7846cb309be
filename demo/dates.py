# SPDX-License-Identifier: EUPL-1.2
"""When the demo happens: written as of one day, loaded as of the day of its first load.

The town's walks (data/demo/lyhtyla.json) and the plan (demo.plan) are written with the
dates they had when the demo ended on AUTHORED, and everything else is drawn backwards
from that moment. A load moves all of it by whole days, so that the demo ends on the day
it is first loaded: the last walk is a few days old, the resident reports reach back two
years to yesterday, and the plan's council term runs. A day begins at noon here
(ANCHOR_HOUR), so that nothing is dated later than the moment of the load.

Running the demo again reads the day back from its first walk and makes the very same
rows, so a later run creates nothing and moves nothing that people may have triaged
since. A fresh database (or a demo whose walks were deleted) gets today's dates.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from demo.patterns import HELSINKI

# The moment the written dates end at; the demo's seed still carries its date.
AUTHORED = datetime(2025, 12, 1, 12, 0, tzinfo=HELSINKI)
ANCHOR_HOUR = AUTHORED.hour


@dataclass(frozen=True)
class DemoClock:
    """The written dates moved by `days` whole days (wall-clock: 18:00 stays 18:00)."""

    days: int

    @property
    def anchor(self) -> datetime:
        """Everything in the demo happens before this moment."""
        return self.moment(AUTHORED)

    def moment(self, written: datetime) -> datetime:
        local = written.astimezone(HELSINKI).replace(tzinfo=None) + timedelta(days=self.days)
        return local.replace(tzinfo=HELSINKI)

    def day(self, written: date) -> date:
        return written + timedelta(days=self.days)

    @classmethod
    def as_of(cls, now: datetime) -> "DemoClock":
        """The clock whose anchor is the last noon in Helsinki at or before `now`."""
        local = now.astimezone(HELSINKI)
        day = local.date() if local.hour >= ANCHOR_HOUR else local.date() - timedelta(days=1)
        return cls((day - AUTHORED.date()).days)

    @classmethod
    def of_walk(cls, starts_at: datetime, written: datetime) -> "DemoClock":
        """The clock that moved a walk written to start at `written` to `starts_at`."""
        local_day = starts_at.astimezone(HELSINKI).date()
        return cls((local_day - written.astimezone(HELSINKI).date()).days)
