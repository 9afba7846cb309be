# SPDX-License-Identifier: EUPL-1.2
"""Production settings come from the environment and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "SECRET_KEY": "k7#QvP2m!xR9sL4wZ8eT1yU6iO3pA5dF0gH2jK4lC6vB8nM0qW",
    "ALLOWED_HOSTS": "lyhty.kotka.fi",
    "DATABASE_URL": "postgres://lyhty@db.internal:5432/lyhty",
}


def manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deployment_checks_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY" in result.stderr


def test_it_says_which_variable_is_wrong():
    result = manage("check", **PRODUCTION, DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


def test_it_keeps_no_database_connection_under_runserver():
    """runserver's thread per request would leave a kept connection behind per request."""
    from config.settings import default_conn_max_age

    assert default_conn_max_age(["manage.py", "runserver", "127.0.0.1:8000"]) == 0
    assert default_conn_max_age([".venv/bin/gunicorn", "config.wsgi"]) == 60


def test_it_checks_a_kept_connection_before_reusing_it():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default'];"
        " print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["60", "True"]


def test_it_names_a_trusted_proxy_that_is_no_address():
    result = manage("check", **PRODUCTION, TRUSTED_PROXIES="127.0.0.1, nginx.internal")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'nginx.internal' does not appear to be" in result.stderr


def test_it_refuses_an_address_distance_out_of_range():
    result = manage("check", **PRODUCTION, ADDRESS_MAX_DISTANCE_M="0")
    assert result.returncode != 0
    assert "ADDRESS_MAX_DISTANCE_M must be 1–10000 metres, not 0" in result.stderr
