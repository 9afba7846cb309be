# SPDX-License-Identifier: EUPL-1.2
"""Every user-visible string is in Finnish and Swedish as well as English.

makemessages runs on a copy of the source, so a string added without a translation, or a
catalogue that is out of date, fails here rather than showing English to a Finnish user.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    "config",
    "geo",
    "walks",
    "surveys",
    "analysis",
    "plans",
    "api",
    "ogc",
    "frontend",
    "demo",
    "locale",
    "manage.py",
]
ENTRY = re.compile(
    r'^(?P<flags>#,.*\n)?(?:msgctxt .*\n)?msgid (?P<id>"(?:.*)"\n(?:".*"\n)*)'
    r'(?:msgid_plural .*\n(?:".*"\n)*)?(?P<strs>(?:msgstr(?:\[\d\])? ".*"\n(?:".*"\n)*)+)',
    re.MULTILINE,
)


def entries(po: Path):
    for match in ENTRY.finditer(po.read_text()):
        msgid = "".join(re.findall(r'"(.*)"', match["id"]))
        if not msgid:  # the header
            continue
        strs = re.split(r"^msgstr(?:\[\d\])? ", match["strs"], flags=re.MULTILINE)[1:]
        yield msgid, match["flags"] or "", ["".join(re.findall(r'"(.*)"', s)) for s in strs]


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory):
    copy = tmp_path_factory.mktemp("lyhty")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / name)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "fi",
            "-l",
            "sv",
            "--no-obsolete",
            "-v0",
        ],
        cwd=copy,
        check=True,
        env={"DEBUG": "1", "PATH": "/usr/bin:/bin"},
    )
    return copy / "locale"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_it_translates_every_string(language):
    po = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    untranslated = [msgid for msgid, flags, strs in entries(po) if not all(strs)]
    fuzzy = [msgid for msgid, flags, strs in entries(po) if "fuzzy" in flags]
    assert not untranslated, f"{language}: {len(untranslated)} untranslated: {untranslated[:10]}"
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy: {fuzzy[:10]}"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_it_has_a_catalogue_that_knows_every_string_in_the_code(fresh_catalogues, language):
    committed = {
        msgid for msgid, _, _ in entries(ROOT / "locale" / language / "LC_MESSAGES" / "django.po")
    }
    current = {
        msgid for msgid, _, _ in entries(fresh_catalogues / language / "LC_MESSAGES" / "django.po")
    }
    missing = sorted(current - committed)
    assert not missing, f"run `make messages` and translate: {missing[:10]}"
