# SPDX-License-Identifier: EUPL-1.2
"""The seed taxonomy: themes, categories and responsible units in fi/sv/en.

The data is `data/taxonomy.json` (described in `data/README.md`); this module reads it and
creates what is missing. It is only the starting point a new installation gets (data
migration walks 0003, and `load_demo`); administrators edit categories in the admin
afterwards, and no other code depends on these codes.

    python -c "from walks.taxonomy import load_taxonomy; print(load_taxonomy()['categories'])"
"""

import json
from pathlib import Path

# The repository's data/ folder: what the project itself owns (see data/README.md).
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
TAXONOMY_FILE = DATA_DIR / "taxonomy.json"


def read_data(path: Path) -> dict:
    """One JSON file of data/, as it is."""
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def load_taxonomy(path: Path = TAXONOMY_FILE) -> dict[str, list[dict]]:
    """The file's units, themes and categories, in the file's order."""
    return read_data(path)


def names(spec: dict, field: str = "name") -> dict[str, str]:
    """{"name_fi": …, "name_sv": …, "name_en": …} from the file's {"fi": …, …}."""
    return {f"{field}_{language}": text for language, text in spec[field].items()}


def category_fields(spec: dict, order: int) -> dict:
    """A category's model fields from its entry in the file, but for theme and unit."""
    return {
        **names(spec),
        **names(spec, "help"),
        "open311_code": spec["open311"],
        "icon": spec["icon"],
        "order": order,
        "is_positive": spec.get("positive", False),
        "is_sensitive": spec.get("sensitive", False),
    }


def seed(theme_model, category_model, unit_model) -> dict[str, int]:
    """Create what is missing; leave what administrators have edited alone."""
    taxonomy = load_taxonomy()
    created = {"units": 0, "themes": 0, "categories": 0}
    units = {}
    for spec in taxonomy["units"]:
        units[spec["code"]], was_created = unit_model.objects.get_or_create(
            code=spec["code"], defaults=names(spec)
        )
        created["units"] += was_created
    themes = {}
    for spec in taxonomy["themes"]:
        themes[spec["code"]], was_created = theme_model.objects.get_or_create(
            code=spec["code"], defaults={"order": spec["order"], **names(spec)}
        )
        created["themes"] += was_created
    for order, spec in enumerate(taxonomy["categories"]):
        _category, was_created = category_model.objects.get_or_create(
            code=spec["code"],
            defaults={
                "theme": themes[spec["theme"]],
                "default_unit": units[spec["unit"]],
                **category_fields(spec, order),
            },
        )
        created["categories"] += was_created
    return created
