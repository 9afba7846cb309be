# SPDX-License-Identifier: EUPL-1.2
"""The apps are layers: each imports only from the layers below it (and itself).

    geo        municipalities, districts, CRS, boundary imports
    walks      categories, walks, observations, photos, roles
    knowledge  official incidents, area statistics and indicators followed year by year
    analysis   heat map, district picture, exports
    plans      safety plans, actions, protocols
    api        the REST API
    ogc        OGC API – Features (GIS clients)
    frontend   the pages
    demo       the demo municipality and synthetic loads, which fill all of the above
    operations health check, backups (and later retention and the audit trail) over all

`config` (settings, root URLs) sits above them all and is not an app. Every import counts,
also one inside a function or under TYPE_CHECKING: a lazy import is still a dependency.

How the test was checked: adding `from analysis import heatmap` to geo/models.py made
`test_no_app_imports_a_higher_layer` fail naming "geo/models.py:… imports analysis"; the
self-test below keeps that so without editing the code.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = [
    "geo",
    "walks",
    "knowledge",
    "analysis",
    "plans",
    "api",
    "ogc",
    "frontend",
    "demo",
    "operations",
]
RANK = {app: rank for rank, app in enumerate(LAYERS)}


def imported_apps(source: str) -> list[tuple[int, str]]:
    """(line, app) for every import of one of our apps in the source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, name.split(".")[0]) for name in names if name.split(".")[0] in RANK]
    return found


def violations(app: str, files) -> list[str]:
    """'path:line imports higher' for each import of a higher layer by `app`'s files."""
    found = []
    for path, source in files:
        for line, imported in imported_apps(source):
            if RANK[imported] > RANK[app]:
                found.append(f"{path}:{line} imports {imported}")
    return found


def app_files(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        yield path.relative_to(ROOT), path.read_text(encoding="utf-8")


def test_every_app_is_in_a_layer():
    apps = {
        path.parent.name
        for path in ROOT.glob("*/apps.py")
        if path.parent.name not in {"config", "tests", "bench"}
    }
    assert apps == set(LAYERS)


@pytest.mark.parametrize("app", LAYERS)
def test_no_app_imports_a_higher_layer(app):
    assert violations(app, app_files(app)) == []


def test_it_sees_a_lower_app_importing_a_higher_one():
    """The check itself: a lazy import of the heat map inside geo is found."""
    source = "def f():\n    from analysis import heatmap\n    import walks.models\n"

    assert violations("geo", [("geo/x.py", source)]) == [
        "geo/x.py:2 imports analysis",
        "geo/x.py:3 imports walks",
    ]
    assert violations("frontend", [("frontend/x.py", source)]) == []
