# SPDX-License-Identifier: EUPL-1.2
"""CACHE_URL chooses one cache that every worker shares; production stays deploy-clean."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from config.settings import cache_from_url
from tests.test_settings import PRODUCTION, manage


def test_it_keeps_the_cache_in_lyhty_s_own_database_by_default(db):
    assert settings.CACHES["default"] == cache_from_url("db://lyhty_cache")
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"

    cache.set("shared", "by every worker", 60)

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM lyhty_cache WHERE cache_key LIKE '%%shared'")
        assert cursor.fetchone()[0] == 1
    assert cache.get("shared") == "by every worker"


@pytest.mark.parametrize(
    ("url", "backend", "location"),
    [
        ("db://lyhty_cache", "db.DatabaseCache", "lyhty_cache"),
        ("redis://127.0.0.1:6379/0", "redis.RedisCache", "redis://127.0.0.1:6379/0"),
        ("rediss://:secret@cache.internal:6380/1", "redis.RedisCache", None),
        ("file:///var/cache/lyhty", "filebased.FileBasedCache", "/var/cache/lyhty"),
        ("locmem://", "locmem.LocMemCache", "lyhty"),
    ],
)
def test_it_reads_the_cache_from_cache_url(url, backend, location):
    made = cache_from_url(url)
    assert made["BACKEND"] == f"django.core.cache.backends.{backend}"
    assert made["LOCATION"] == (location or url)


@pytest.mark.parametrize(
    "url",
    ["memcached://127.0.0.1:11211", "db://lyhty cache; drop", "file://relative/path", "cachehost"],
)
def test_it_refuses_a_cache_url_it_does_not_know_without_echoing_it(url):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL must be db://TABLE") as error:
        cache_from_url(url)
    assert url not in str(error.value)


@pytest.mark.parametrize("url", ["", "db://lyhty_cache", "redis://cache.internal:6379/0"])
def test_it_passes_the_deployment_checks_with_each_shared_cache(url):
    env = {**PRODUCTION, "CACHE_URL": url} if url else PRODUCTION
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_says_when_cache_url_is_wrong():
    result = manage("check", **PRODUCTION, CACHE_URL="memcached://127.0.0.1:11211")
    assert result.returncode != 0
    assert "CACHE_URL must be db://TABLE" in result.stderr
