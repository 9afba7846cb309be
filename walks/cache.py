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
"""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
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


def cached(
    name: str, parts: list, compute: Callable[[], object], seconds: int, stamp: str | None = None
):
    """compute()'s answer, cached under the name, the parts, the language and the stamp.

    `parts` must say everything else the answer depends on, each with a stable repr.
    `stamp`: observations_stamp() when the caller has just read it (one query fewer)."""
    stamp = observations_stamp() if stamp is None else stamp
    digest = hashlib.sha256(repr([*parts, get_language(), stamp]).encode()).hexdigest()
    key = f"{name}:{digest}"
    answer = cache.get(key)
    if answer is None:
        answer = compute()
        cache.set(key, answer, seconds)
    return answer
