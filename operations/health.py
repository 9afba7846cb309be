# SPDX-License-Identifier: EUPL-1.2
"""`/health/`: can this instance serve? For the municipality's monitoring.

Each check answers ok or failing; the reasons go to the server log, not to the caller,
who may be anyone. 200 when all pass, 503 otherwise, so that a plain HTTP monitor (or a
load balancer) needs no parsing.
"""

import logging
import secrets
import time

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT postgis_lib_version()")
        cursor.fetchone()


def check_cache():
    # A key of this check's own: monitors and load balancers ask at once, and with a shared
    # key one check read what another had just stored (a 503 for a working cache).
    value = secrets.token_hex(8)
    key = f"lyhty:health:{value}"
    cache.set(key, value, 30)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not return what was just stored")
    finally:
        cache.delete(key)


def check_media():
    """The photo storage takes a file and gives it back."""
    name = default_storage.save(f"health/{secrets.token_hex(8)}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as stored:
            if stored.read() != b"ok":
                raise RuntimeError("the media storage did not return what was just written")
    finally:
        default_storage.delete(name)


CHECKS = {"database": check_database, "cache": check_cache, "media": check_media}


def run_checks() -> dict[str, dict]:
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception:
            logger.exception("Health check %s failed", name)
            ok = False
        else:
            ok = True
        milliseconds = round((time.perf_counter() - started) * 1000, 1)
        results[name] = {"status": "ok" if ok else "failing", "milliseconds": milliseconds}
    return results


@never_cache
@require_GET
def health(request):
    checks = run_checks()
    healthy = all(result["status"] == "ok" for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": checks},
        status=200 if healthy else 503,
    )
