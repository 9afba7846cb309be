# SPDX-License-Identifier: EUPL-1.2
"""One cache for everything computed from the observations, keyed by one stamp.

`cached(name, parts, compute, seconds)` answers from Django's cache (every worker shares
it: CACHE_URL) under the name, the parts that make the answer differ (audience, query,
place, period…), the active language and `observations_stamp()`; on a miss it computes,
stores and returns. So a new or changed observation, or a category made sensitive or
ordinary again, is a new key at once (a deleted observation within seconds): the map's
clusters, the district picture, the plan's figures and its prints never serve what the
observations no longer say. The heat map's pre-aggregates (analysis.heatmap) are rebuilt
under the same stamp.

`cached_meanwhile` is for answers that take seconds to make over a whole municipality (the
plan's figures and its prints): a reader right after a change gets the answer made before
it, and the new one is made once that reader's response is sent (config.middleware's
AfterResponse and `run_after_response`), so nobody waits for the build and the answer lags
a change by one build.
"""

import hashlib
import logging
from collections.abc import Callable
from contextvars import ContextVar

from django.core.cache import cache
from django.core.signals import request_finished
from django.db import connection
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import get_language

from walks.models import Category, Observation

# What the observations' state depends on, in one row: see observations_stamp.
_STAMP = (
    "(SELECT max(updated_at) FROM {table}), (SELECT max(id) FROM {table}),"
    " pg_stat_get_tuples_updated(%s::regclass) + pg_stat_get_tuples_deleted(%s::regclass)"
    " + pg_stat_get_tuples_inserted(%s::regclass),"
    " (SELECT string_agg(id::text, ',' ORDER BY id) FROM {category} WHERE is_sensitive)"
)


def stamp_sql() -> tuple[str, list]:
    """The stamp's select list and its parameters, for a statement that wants it too."""
    table = Observation._meta.db_table
    return _STAMP.format(table=table, category=Category._meta.db_table), [table, table, table]


def joined(values) -> str:
    return "|".join(str(value) for value in values)


def observations_stamp() -> str:
    """Changes whenever an observation is added, changed or deleted, or a category becomes
    sensitive or stops being so; costs ~1 ms.

    max(updated_at) and max(id) come from their indexes and see every save at once; the
    statistics counters also see deletions and bulk updates (flushed within about 1 s).
    A per-municipality count would be exact but costs 150–250 ms at a million rows.
    """
    sql, params = stamp_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)  # noqa: S608 - our own table names
        return joined(cursor.fetchone())


def _key(name: str, parts: list, stamp: str | None) -> str:
    digest = hashlib.sha256(repr([*parts, get_language(), stamp]).encode()).hexdigest()
    return f"{name}:{digest}"


def cached(
    name: str, parts: list, compute: Callable[[], object], seconds: int, stamp: str | None = None
):
    """compute()'s answer, cached under the name, the parts, the language and the stamp.

    `parts` must say everything else the answer depends on, each with a stable repr.
    `stamp`: observations_stamp() when the caller has just read it (one query fewer)."""
    stamp = observations_stamp() if stamp is None else stamp
    key = _key(name, parts, stamp)
    answer = cache.get(key)
    if answer is None:
        answer = compute()
        cache.set(key, answer, seconds)
    return answer


logger = logging.getLogger(__name__)

# The work a request leaves for after its response (None outside a request): set by
# config.middleware.AfterResponse, run by run_after_response when the response closes.
_after_response: ContextVar[list | None] = ContextVar("after_response", default=None)

# How long one build may hold the right to make an answer anew before another may try.
MAKING_SECONDS = 5 * 60


def begin_request():
    _after_response.set([])


@receiver(request_finished)
def run_after_response(**kwargs):
    """WSGI servers close a response after its last byte: request_finished, in the thread
    that served it. A failure is logged; the next reader tries again."""
    pending, _ = _after_response.get(), _after_response.set(None)
    for work in pending or ():
        try:
            work()
        except Exception:
            logger.exception("Work after a response failed")


def _sensitive(stamp: str) -> str:
    """The stamp's last part: which categories are sensitive."""
    return stamp.rsplit("|", 1)[-1]


def cached_meanwhile(name: str, parts: list, compute: Callable[[], object], seconds: int):
    """As `cached`, but in a request a reader does not wait for a new answer after a change:
    they get the answer last made (for an earlier stamp), and the new one is made after
    their response is sent, one build of the answer at a time. Outside a request, with no earlier
    answer, or when a category became or stopped being sensitive since (no reader may see
    a sensitive category's figures for a moment), the answer is made at once."""
    stamp = observations_stamp()
    key = _key(name, parts, stamp)
    answer = cache.get(key)
    if answer is not None:
        return answer
    latest_key = _key(f"{name}-latest", parts, None)
    language = get_language()

    def make():
        with translation.override(language):
            made = compute()
            cache.set(key, made, seconds)
            cache.set(latest_key, (stamp, made), seconds)
        return made

    latest = cache.get(latest_key)
    in_request = _after_response.get() is not None
    if latest is None or not in_request or _sensitive(latest[0]) != _sensitive(stamp):
        return make()
    # One build of an answer at a time, whatever stamp it is for: a second change during a
    # build is made by the first request after that build.
    making = f"{latest_key}:making"
    if cache.add(making, True, MAKING_SECONDS):

        def make_then_release():
            try:
                make()
            finally:
                cache.delete(making)

        _after_response.get().append(make_then_release)
    return latest[1]
