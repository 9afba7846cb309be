# SPDX-License-Identifier: EUPL-1.2
"""`backup` and `restore`: a round trip into an empty database gives the same rows and files.

The data must be committed for pg_dump (another process) to see it: these tests run on the
transactional test database. The restore goes into a database made here and dropped after.
"""

import hashlib
import json
import os
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.contrib.gis.geos import LineString, Point
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from operations.backup import connect
from tests.conftest import WEST, make_town
from tests.walks.test_photos import halves, jpeg_bytes, upload
from walks.models import Category, Observation, Photo, SafetyWalk
from walks.photos import store_photo

pytestmark = pytest.mark.usefixtures("seeded_taxonomy")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def town_with_photos(media_root):
    """Testilä with a walk, its route, three observations and two photos (four files)."""
    town = make_town()
    walk = SafetyWalk.objects.create(
        municipality=town,
        title="Iltakävely – Ö & ä",
        starts_at="2026-10-01T17:00Z",
        ends_at="2026-10-01T19:00Z",
        group="residents",
        state="walking",
        route=LineString((26.91, 60.45), (26.95, 60.46), (26.93, 60.47), srid=4326),
    )
    observations = [
        Observation.objects.create(
            municipality=town,
            walk=walk,
            category=Category.objects.get(code=code),
            geom=Point(*at, srid=4326),
            description=note,
        )
        for code, at, note in [
            ("lamp_out", WEST, "Valo ei pala"),
            ("dark_spot", (26.95, 60.46), ""),
            ("lamp_out", (26.96, 60.47), "Lampan är trasig"),
        ]
    ]
    store_photo(observations[0], upload(jpeg_bytes()))
    store_photo(observations[2], upload(jpeg_bytes(halves(left=(0, 255, 0)))))
    return town


@pytest.fixture
def empty_database():
    """A new database with nothing in it, not even PostGIS: the restore brings it."""
    source = connection.settings_dict
    name = f"{source['NAME']}_restore"
    admin = {**source, "NAME": "postgres"}
    with connect(admin) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}"')
    yield {**source, "NAME": name}
    with connect(admin) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def url_of(database: dict) -> str:
    return (
        f"postgres://{database['USER'] or ''}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


def table_fingerprints(database: dict) -> dict[str, tuple[int, str]]:
    """(rows, md5 of all rows in text form, sorted) for every table of the public schema."""
    with connect(database) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            table: db.execute(
                psycopg.sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                    "FROM {} AS t"
                ).format(psycopg.sql.Identifier(table))
            ).fetchone()
            for table in tables
        }


def file_digests(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_it_restores_the_same_rows_and_files_into_an_empty_database(
    town_with_photos, media_root, empty_database, tmp_path
):
    backup = tmp_path / "backup"
    output = run("backup", str(backup))
    assert "Backed up" in output and "4 media files" in output

    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["tables"]["walks_observation"] == 3
    assert manifest["tables"]["walks_photo"] == 2
    assert len(manifest["media"]) == 4

    restored_media = tmp_path / "restored-media"
    output = run(
        "restore", str(backup), database_url=url_of(empty_database), media_root=restored_media
    )
    assert "counts and checksums agree with the manifest" in output

    source = table_fingerprints(connection.settings_dict)
    assert source["walks_observation"][0] == 3
    assert table_fingerprints(empty_database) == source
    assert file_digests(restored_media) == file_digests(Path(media_root))
    with connect(empty_database) as db:
        route = db.execute("SELECT ST_AsText(route) FROM walks_safetywalk").fetchone()[0]
    assert route == "LINESTRING(26.91 60.45,26.95 60.46,26.93 60.47)"


def test_it_counts_in_the_snapshot_it_dumps(town_with_photos, tmp_path):
    run("backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    rows = {
        table: rows for table, (rows, _md5) in table_fingerprints(connection.settings_dict).items()
    }
    assert manifest["tables"] == rows


def test_it_refuses_a_folder_that_is_not_empty(town_with_photos, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "notes.txt").write_text("keep me")
    with pytest.raises(CommandError, match="is not an empty folder"):
        run("backup", str(tmp_path / "old"))
    assert os.listdir(tmp_path / "old") == ["notes.txt"]


def test_it_restores_nothing_from_a_damaged_backup(town_with_photos, empty_database, tmp_path):
    backup = tmp_path / "backup"
    run("backup", str(backup))
    photo = next(name for name in json.loads((backup / "manifest.json").read_text())["media"])
    damaged = backup / "media" / photo
    damaged.write_bytes(damaged.read_bytes()[:-10])

    restored_media = tmp_path / "restored-media"
    with pytest.raises(CommandError, match=f"{damaged} is damaged"):
        run("restore", str(backup), database_url=url_of(empty_database), media_root=restored_media)
    assert not restored_media.exists()
    assert table_fingerprints(empty_database) == {}


def test_it_restores_only_into_an_empty_database(town_with_photos, tmp_path):
    run("backup", str(tmp_path / "backup"))
    before = Observation.objects.count()
    with pytest.raises(CommandError, match="is not empty"):
        run("restore", str(tmp_path / "backup"), media_root=tmp_path / "restored-media")
    assert Observation.objects.count() == before


def test_it_refuses_an_interrupted_backup(tmp_path, empty_database):
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "database.dump").write_bytes(b"PGDMP")
    with pytest.raises(CommandError, match="has no manifest.json"):
        run("restore", str(tmp_path / "half"), database_url=url_of(empty_database))
    assert table_fingerprints(empty_database) == {}


def test_it_speaks_the_operators_language(town_with_photos, tmp_path):
    with translation.override("fi"), pytest.raises(CommandError) as refused:
        run("restore", str(tmp_path / "nothing"))
    assert "manifest.json" in str(refused.value)
    assert "has no" not in str(refused.value)
    assert Photo.objects.count() == 2
