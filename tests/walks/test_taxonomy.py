# SPDX-License-Identifier: EUPL-1.2
"""The seed taxonomy comes from data/taxonomy.json: what the migration puts in the database
is exactly what the file says, field by field, and seeding again changes nothing."""

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from walks.models import Category, ResponsibleUnit, Theme
from walks.taxonomy import TAXONOMY_FILE, seed

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# What an operator types to read the file, without Django: one JSON document on stdout.
READ_FILE = (
    "import json; from walks.taxonomy import load_taxonomy; print(json.dumps(load_taxonomy()))"
)


def from_python_c() -> dict:
    result = subprocess.run(
        [sys.executable, "-c", READ_FILE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def migrate_0003_again():
    """Run walks 0003 as `migrate` does, on empty taxonomy tables (rolled back after the test)."""
    Category.objects.all().delete()
    Theme.objects.all().delete()
    ResponsibleUnit.objects.all().delete()
    migration = importlib.import_module("walks.migrations.0003_seed_taxonomy_and_roles")
    state = MigrationExecutor(connection).loader.project_state(
        ("walks", "0003_seed_taxonomy_and_roles")
    )
    migration.forwards(state.apps, connection.schema_editor())


def test_it_is_the_file_in_data():
    assert TAXONOMY_FILE == ROOT / "data" / "taxonomy.json"


def test_the_migration_gives_every_field_of_every_category_in_the_file():
    migrate_0003_again()
    taxonomy = from_python_c()

    in_database = {
        c.code: c
        for c in Category.objects.select_related("theme", "default_unit").order_by("order")
    }
    assert list(in_database) == [spec["code"] for spec in taxonomy["categories"]]
    for order, spec in enumerate(taxonomy["categories"]):
        category = in_database[spec["code"]]
        assert (
            category.theme.code,
            category.default_unit.code,
            category.name_fi,
            category.name_sv,
            category.name_en,
            category.help_fi,
            category.help_sv,
            category.help_en,
            category.open311_code,
            category.icon,
            category.order,
            category.is_positive,
            category.is_sensitive,
            category.active,
        ) == (
            spec["theme"],
            spec["unit"],
            spec["name"]["fi"],
            spec["name"]["sv"],
            spec["name"]["en"],
            spec["help"]["fi"],
            spec["help"]["sv"],
            spec["help"]["en"],
            spec["open311"],
            spec["icon"],
            order,
            spec.get("positive", False),
            spec.get("sensitive", False),
            True,
        ), spec["code"]

    themes = [
        (t.code, t.order, t.name_fi, t.name_sv, t.name_en) for t in Theme.objects.order_by("order")
    ]
    assert themes == [
        (t["code"], t["order"], t["name"]["fi"], t["name"]["sv"], t["name"]["en"])
        for t in taxonomy["themes"]
    ]
    units = {u.code: (u.name_fi, u.name_sv, u.name_en) for u in ResponsibleUnit.objects.all()}
    assert units == {
        u["code"]: (u["name"]["fi"], u["name"]["sv"], u["name"]["en"]) for u in taxonomy["units"]
    }


def test_the_seed_has_every_theme_of_the_design_with_categories_in_three_languages():
    taxonomy = from_python_c()
    assert [t["code"] for t in taxonomy["themes"]] == [
        "lighting",
        "road_condition",
        "traffic",
        "vandalism",
        "visibility",
        "accessibility",
        "feeling",
        "other",
    ]
    assert len(taxonomy["categories"]) == 24
    open311 = [c["open311"] for c in taxonomy["categories"]]
    assert len(set(open311)) == len(open311)
    for spec in taxonomy["categories"]:
        assert all(spec["name"][language] for language in ("fi", "sv", "en")), spec["code"]


def test_seeding_again_creates_nothing_and_keeps_what_an_administrator_changed():
    migrate_0003_again()
    Category.objects.filter(code="lamp_out").update(name_fi="Katulamppu rikki", active=False)

    assert seed(Theme, Category, ResponsibleUnit) == {"units": 0, "themes": 0, "categories": 0}
    lamp = Category.objects.get(code="lamp_out")
    assert (lamp.name_fi, lamp.active) == ("Katulamppu rikki", False)
