# SPDX-License-Identifier: EUPL-1.2
"""One page of features built by PostGIS in one statement, as the REST lists are
(api.geojson), with the total OGC API – Features asks for in `numberMatched`.

    SELECT count(feature), json_agg(feature)::text,
           CASE WHEN <exact count wanted and the page is full> THEN (SELECT count(*) …) END
    FROM (<the page of Features> LIMIT %s OFFSET %s) AS page(feature)

A page that is not full tells the total by itself (offset + features on it). Only a full
page needs a count, and on a very large result that count would cost more than the page:
so for a full page PostgreSQL's planner is asked how many rows it expects (EXPLAIN, which
plans but runs nothing). Above ESTIMATE_ABOVE expected rows `numberMatched` is that
estimate and the collection says so with `"numberMatchedEstimated": true`; otherwise the
rows are counted exactly. An estimate is never below the features already seen.

Each worker keeps, per query (the Feature, the order and the matching rows' SQL with its
values), the compiled statement and the planner's estimate (for ESTIMATE_SECONDS):
Django compiling a Feature of some forty members, and the EXPLAIN, cost about as much as
the database building the page. So a page that is not full costs one statement; the
first full page of a query two (the page, EXPLAIN) or three (and the count), and every
later page of it (the next pages, the same page again) one. Only LIMIT and OFFSET vary
within a query.
"""

import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.db import connection

# About the rows PostgreSQL counts in the time it builds a page of a thousand features.
ESTIMATE_ABOVE = 50_000
# How long a worker trusts the planner's estimate of a query (it changes with ANALYZE).
ESTIMATE_SECONDS = 60
# Queries a worker keeps compiled, the least recently used dropped first.
QUERIES_KEPT = 256

_PAGE = """
SELECT count(page.feature),
       COALESCE(json_agg(page.feature), '[]')::text,
       CASE WHEN %s AND (count(page.feature) >= %s OR (count(page.feature) = 0 AND %s > 0))
            THEN (SELECT count(*) FROM ({matching}) AS matching)
       END
FROM ({page} LIMIT %s OFFSET %s) AS page(feature)
"""


@dataclass
class Page:
    features: str  # a JSON array, as PostGIS wrote it
    returned: int
    matched: int
    estimated: bool


@dataclass
class _Query:
    sql: str  # _PAGE for this query; parameters: exact?, limit, offset, *params, limit, offset
    params: tuple
    matching: tuple  # (sql, params) of the matching rows, for EXPLAIN
    estimate: int = 0
    estimated_at: float = float("-inf")  # never


_queries: OrderedDict = OrderedDict()
_queries_lock = threading.Lock()  # runserver serves requests on threads


def planned_rows(sql: str, params) -> int:
    """How many rows the planner expects the statement to return (nothing is run)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _compiled(queryset, feature) -> _Query:
    """The statement of this query, compiled once per worker."""
    matching_sql, matching_params = queryset.order_by().values("pk").query.sql_with_params()
    # The Feature compares by its structure (Django's expression identity); the matching
    # rows by their SQL with the values in place; and the order.
    key = (
        feature,
        repr(queryset.query.order_by),
        connection.ops.compose_sql(matching_sql, matching_params),
    )
    with _queries_lock:
        query = _queries.get(key)
        if query is not None:
            _queries.move_to_end(key)
            return query
    page_sql, page_params = (
        queryset.annotate(_feature=feature).values_list("_feature").query.sql_with_params()
    )
    query = _Query(
        sql=_PAGE.format(matching=matching_sql, page=page_sql),
        params=(*matching_params, *page_params),
        matching=(matching_sql, matching_params),
    )
    with _queries_lock:
        _queries[key] = query
        while len(_queries) > QUERIES_KEPT:
            _queries.popitem(last=False)
    return query


def count(sql: str, params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) AS matching", params)
        return cursor.fetchone()[0]


def feature_page(queryset, feature, *, limit: int, offset: int) -> Page:
    query = _compiled(queryset, feature)
    known = time.monotonic() - query.estimated_at <= ESTIMATE_SECONDS
    exact = known and query.estimate <= ESTIMATE_ABOVE
    with connection.cursor() as cursor:
        cursor.execute(query.sql, (exact, limit, offset, *query.params, limit, offset))
        returned, features, counted = cursor.fetchone()
    if returned < limit and (returned > 0 or offset == 0):
        return Page(features, returned, offset + returned, estimated=False)
    if counted is not None:
        return Page(features, returned, counted, estimated=False)
    if not known:  # the first full page of this query (in this worker, this minute)
        query.estimate = planned_rows(*query.matching)
        query.estimated_at = time.monotonic()
        if query.estimate <= ESTIMATE_ABOVE:
            return Page(features, returned, count(*query.matching), estimated=False)
    seen = offset + returned + (1 if returned == limit else 0)
    return Page(features, returned, max(query.estimate, seen), estimated=True)
