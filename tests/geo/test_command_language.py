# SPDX-License-Identifier: EUPL-1.2
"""Management commands speak the operator's language (geo/management/language.py): the
locale variables choose Finnish, Swedish or English on the command line, Finnish when they
name none of them. Run as an operator runs them, in a process of their own."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from geo.management.language import LOCALE_VARIABLES, operator_language

ROOT = Path(__file__).resolve().parents[2]
# Refused before the database is touched: the message is all there is to read.
BAD_COUNT = ["generate_observations", "--count", "0", "--municipality", "091"]
REFUSAL = {
    "fi": "--count-arvon on oltava positiivinen kokonaisluku, ei 0.",
    "sv": "--count måste vara ett positivt heltal, inte 0.",
    "en": "--count must be a positive whole number, not 0.",
}


def manage(*args, **locale) -> subprocess.CompletedProcess:
    """`manage.py ARGS` with only the given locale variables set."""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    env.update(DEBUG="1", **locale)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ({"LANGUAGE": "sv"}, "sv"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "fi"),
    ],
)
def test_it_refuses_in_the_language_of_the_locale(locale, language):
    result = manage(*BAD_COUNT, **locale)

    assert result.returncode == 1
    assert result.stderr.strip() == f"CommandError: {REFUSAL[language]}"


def test_the_help_is_in_the_operators_language_too():
    swedish = manage("import_districts", "--help", LC_MESSAGES="sv_FI.UTF-8").stdout
    finnish = manage("help", "import_districts", LANG="fi_FI.UTF-8").stdout

    assert "Importera eller uppdatera" in swedish
    assert "Tuo tai päivitä" in finnish


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANGUAGE": "de:sv:en", "LANG": "en_US.UTF-8"}, "sv"),  # the first one we speak
        ({"LC_ALL": "sv_SE.UTF-8@euro", "LANG": "fi_FI.UTF-8"}, "sv"),
        ({"LC_MESSAGES": "en_US.utf8", "LANG": "sv_FI.UTF-8"}, "en"),
        ({"LANG": "sv_FI"}, "sv"),
        ({"LANG": "de_DE.UTF-8"}, "fi"),
        ({"LANG": "C"}, "fi"),
        ({}, "fi"),
    ],
)
def test_it_reads_the_locale_variables_in_gettexts_order(environ, language):
    assert operator_language(environ) == language


def test_called_from_python_it_speaks_the_active_language(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    with translation.override("sv"), pytest.raises(CommandError) as refused:
        call_command(*BAD_COUNT)

    assert str(refused.value) == REFUSAL["sv"]
