# SPDX-License-Identifier: EUPL-1.2
"""One observation written over HTTP, as the phone logger and the workspace write them.

`bench.run --only single`: a planner POSTs single GeoJSON Features one after another
(each a new UUID, 201 Created, in the demo municipality) against gunicorn with production
settings; the reference is a row at the same point INSERTed directly in one statement
(district and address by the triggers) and committed, as the API's is. The two are taken in
turns, so that the other work on a shared machine weighs on both alike. Issue #14 asks that
this write stays within 1.5× of its cost
before the incremental aggregates (docs/benchmarks.md, "Writes: bulk and single").
"""

import json
import statistics
import time
import uuid

from django.db import connection, transaction

RAW_INSERT = """
INSERT INTO walks_observation (uuid, municipality_id, category_id, geom, severity,
    light_condition, position_source, is_positive, description, proposed_fix, status,
    visibility, observed_at, created_at, updated_at)
SELECT gen_random_uuid(), m.id, c.id, ST_SetSRID(ST_MakePoint(%s, %s), 4326), 3, 'dark',
    'gps', false, '', '', 'new', 'public', now(), now(), now()
FROM geo_municipality m, walks_category c
WHERE m.code = 'demo' AND c.code = %s
RETURNING id
"""


def bench_single(http, server_class, points, codes, token, requests: int = 200) -> dict:
    """Median milliseconds of one Feature POSTed over HTTP and of the raw INSERT."""
    from walks.models import Observation

    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    made = []

    def post(n):
        lon, lat = points[n % len(points)]
        made.append(str(uuid.uuid4()))
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "uuid": made[-1],
                "category": codes[n % len(codes)],
                "severity": 3,
                "municipality": "demo",
                "light_condition": "dark",
            },
        }
        status, answer = http("POST", "/api/v1/observations/", json.dumps(feature), headers)
        assert status == 201, answer[:300]

    raw_ids = []

    def raw(n):
        lon, lat = points[n % len(points)]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(RAW_INSERT, [lon, lat, codes[0]])
            raw_ids.append(cursor.fetchone()[0])

    def timed_ms(function, n) -> float:
        start = time.perf_counter()
        function(n)
        return (time.perf_counter() - start) * 1000

    api_times, raw_times = [], []
    try:
        with server_class():
            for n in range(4):  # warm-up: every worker has served a request
                post(n)
            for n in range(requests):
                api_times.append(timed_ms(post, n))
                raw_times.append(timed_ms(raw, n))
        assert Observation.objects.filter(uuid__in=made).count() == len(made)
    finally:
        Observation.objects.filter(uuid__in=made).delete()
        Observation.objects.filter(pk__in=raw_ids).delete()
    api_ms, raw_ms = statistics.median(api_times), statistics.median(raw_times)
    return {"requests": requests, "api_ms": api_ms, "raw_ms": raw_ms, "ratio": api_ms / raw_ms}
