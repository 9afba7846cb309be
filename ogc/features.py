# SPDX-License-Identifier: EUPL-1.2
"""One page of features built by PostGIS in one statement, as the REST lists are
(api.geojson), with the total OGC API – Features asks for in `numberMatched`.

    SELECT count(feature), json_agg(feature)::text,
           CASE WHEN <exact count wanted and the page is full> THEN (SELECT count(*) …) END
    FROM (<the page of Features>) AS page(feature)

A page that is not full tells the total by itself (offset + features on it). Only a full
page needs a count, and on a very large result that count would cost more than the page:
so before the page, PostgreSQL's planner is asked how many rows it expects (EXPLAIN, which
plans but runs nothing). Above ESTIMATE_ABOVE expected rows `numberMatched` is that
estimate and the collection says so with `"numberMatchedEstimated": true`; otherwise the
statement counts exactly. An estimate is never below the features already seen.
"""

import json
from dataclasses import dataclass

from django.db import connection

# About the rows PostgreSQL counts in the time it builds a page of a thousand features.
ESTIMATE_ABOVE = 50_000

_PAGE = """
SELECT count(page.feature),
       COALESCE(json_agg(page.feature), '[]')::text,
       CASE WHEN %s AND (count(page.feature) >= %s OR (count(page.feature) = 0 AND %s > 0))
            THEN (SELECT count(*) FROM ({matching}) AS matching)
       END
FROM ({page}) AS page(feature)
"""


@dataclass
class Page:
    features: str  # a JSON array, as PostGIS wrote it
    returned: int
    matched: int
    estimated: bool


def planned_rows(queryset) -> int:
    """How many rows the planner expects the QuerySet to return (nothing is run)."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def feature_page(queryset, feature, *, limit: int, offset: int) -> Page:
    estimate = planned_rows(queryset)
    exact = estimate <= ESTIMATE_ABOVE
    matching_sql, matching_params = queryset.order_by().values("pk").query.sql_with_params()
    page = queryset.annotate(_feature=feature).values_list("_feature")[offset : offset + limit]
    page_sql, page_params = page.query.sql_with_params()
    sql = _PAGE.format(matching=matching_sql, page=page_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, (exact, limit, offset, *matching_params, *page_params))
        returned, features, counted = cursor.fetchone()
    if returned < limit and (returned > 0 or offset == 0):
        return Page(features, returned, offset + returned, estimated=False)
    if counted is not None:
        return Page(features, returned, counted, estimated=False)
    seen = offset + returned + (1 if returned == limit else 0)
    return Page(features, returned, max(estimate, seen), estimated=True)
