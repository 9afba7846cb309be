# SPDX-License-Identifier: EUPL-1.2
"""Static files as production serves them: hashed names (config.storage.StaticFiles).

The phone logger's and the map workspace's ES modules import each other; offline, the
logger's service worker can only answer for the hashed names it cached. So every import
in a collected module must name a hashed file, and the worker must cache exactly those.
"""

import json
import re

import pytest
from django.core.management import call_command
from django.test import override_settings

WALK_MODULES = ["logger.js", "outbox.js", "points.js", "track.js", "idb.js", "offline.js"]
# The map workspace's modules (workspace.js is the page's entry).
MAP_MODULES = [
    "workspace.js",
    "state.js",
    "layers.js",
    "list.js",
    "detail.js",
    "actions.js",
    "moderation.js",
]
IMPORT = re.compile(r'from\s+"\./([^"]+)"')


@pytest.fixture
def collected(tmp_path, settings):
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "config.storage.StaticFiles"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
        manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
        yield tmp_path, manifest


@pytest.mark.parametrize(
    ("folder", "modules"), [("frontend/walk", WALK_MODULES), ("frontend/map", MAP_MODULES)]
)
def test_the_modules_import_each_other_by_their_hashed_names(collected, folder, modules):
    root, manifest = collected
    hashed = {manifest[f"{folder}/{name}"] for name in modules}
    imported = set()
    for name in modules:
        source = (root / manifest[f"{folder}/{name}"]).read_text()
        imported |= {f"{folder}/{target}" for target in IMPORT.findall(source)}
    assert imported, "the modules import nothing: the pattern no longer matches"
    assert imported <= hashed
    # Every module but the page's entry is imported by another one.
    assert len(imported) == len(modules) - 1


@pytest.mark.django_db
def test_the_service_worker_caches_every_module_the_logger_imports(collected, client):
    _root, manifest = collected
    worker = client.get("/walk/sw.js").content.decode()
    for name in WALK_MODULES:
        assert f"/static/{manifest[f'frontend/walk/{name}']}" in worker, name
