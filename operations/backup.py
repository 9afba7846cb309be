# SPDX-License-Identifier: EUPL-1.2
"""Backups: the database (pg_dump, custom format) and the media files, with a manifest.

A backup is a folder:

    manifest.json    what is in it: row counts per table, SHA-256 of every file, versions
    database.dump    pg_dump --format=custom of the whole database, PostGIS included
    media/…          a copy of MEDIA_ROOT (photos and thumbnails)

The manifest is written last, so a folder without one is an interrupted backup and is
refused by the restore. The row counts are taken in the very snapshot that pg_dump dumps
(an exported snapshot of a repeatable-read transaction), so they describe the dump
exactly even while walkers keep posting.

A restore goes into an empty database only (a new server, or a database made for the
purpose), checks every checksum before it touches anything, and compares the restored
row counts and media files with the manifest afterwards.
"""

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _
from psycopg import sql

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
CHUNK = 1024 * 1024

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass
class Summary:
    tables: int
    rows: int
    media_files: int
    media_bytes: int
    dump_bytes: int


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


# libpq's connection keywords and the environment variables pg_dump and pg_restore read.
LIBPQ_VARIABLES = {
    "dbname": "PGDATABASE",
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "sslmode": "PGSSLMODE",
}


def libpq_parameters(database: dict) -> dict[str, str]:
    """libpq's connection keywords for `database` (a Django settings dict)."""
    values = {
        "dbname": database["NAME"],
        "host": database.get("HOST"),
        "port": database.get("PORT"),
        "user": database.get("USER"),
        "password": database.get("PASSWORD"),
        "sslmode": (database.get("OPTIONS") or {}).get("sslmode"),
    }
    return {keyword: str(value) for keyword, value in values.items() if value}


def libpq_environment(database: dict) -> dict:
    """The environment in which pg_dump/pg_restore reach `database`."""
    variables = {LIBPQ_VARIABLES[key]: value for key, value in libpq_parameters(database).items()}
    return {**os.environ, "PGAPPNAME": "lyhty-backup", **variables}


def connect(database: dict) -> psycopg.Connection:
    return psycopg.connect(autocommit=True, **libpq_parameters(database))


def table_counts(cursor) -> dict[str, int]:
    """Rows in every table of the public schema (PostGIS's spatial_ref_sys included)."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    counts = {}
    for (table,) in cursor.fetchall():
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("public", table))
        cursor.execute(query)
        counts[table] = cursor.fetchone()[0]
    return counts


def media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


def run(command: list[str], database: dict, what: str):
    result = subprocess.run(  # noqa: S603 - our own command line, no shell
        command, env=libpq_environment(database), capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BackupError(
            _("%(what)s failed: %(error)s") % {"what": what, "error": result.stderr.strip()}
        )


def write_backup(folder: Path, progress: Progress) -> Summary:
    """Write a backup of the configured database and MEDIA_ROOT into `folder` (new or empty)."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(
            _("%(path)s exists and is not an empty folder; give a new folder.") % {"path": folder}
        )
    folder.mkdir(parents=True, exist_ok=True)
    database = connection.settings_dict

    progress(_("Dumping the database %(name)s…") % {"name": database["NAME"]})
    with transaction.atomic(), connection.cursor() as cursor:
        # Must be the transaction's first statement; atomic() has only begun it.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot(), version(), postgis_lib_version()")
        snapshot, server_version, postgis_version = cursor.fetchone()
        counts = table_counts(cursor)
        run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={folder / DUMP}"],
            database,
            "pg_dump",
        )

    media_root = Path(settings.MEDIA_ROOT)
    files = media_files(media_root)
    progress(_("Copying %(count)d media files…") % {"count": len(files)})
    media = {}
    for number, source in enumerate(files, start=1):
        relative = source.relative_to(media_root).as_posix()
        target = folder / MEDIA / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(source, target)
        except FileNotFoundError:
            # Deleted since it was listed (its observation removed): not in the dump either.
            continue
        media[relative] = {"sha256": sha256(target), "bytes": target.stat().st_size}
        if number % 500 == 0:
            progress(
                _("Copied %(done)d of %(count)d media files…")
                % {"done": number, "count": len(files)}
            )

    dump = folder / DUMP
    manifest = {
        "format": FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {
            "name": database["NAME"],
            "server": server_version,
            "postgis": postgis_version,
            "file": DUMP,
            "sha256": sha256(dump),
            "bytes": dump.stat().st_size,
        },
        "tables": counts,
        "media": media,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), "utf-8")
    return Summary(
        tables=len(counts),
        rows=sum(counts.values()),
        media_files=len(media),
        media_bytes=sum(entry["bytes"] for entry in media.values()),
        dump_bytes=manifest["database"]["bytes"],
    )


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BackupError(
            _("%(path)s has no manifest.json: not a backup, or one that was interrupted.")
            % {"path": folder}
        )
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(
            _("%(path)s cannot be read: %(error)s") % {"path": path, "error": error}
        ) from error
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("%(path)s is a backup of format %(found)s; this version reads format %(format)s.")
            % {"path": path, "found": manifest.get("format"), "format": FORMAT}
        )
    return manifest


def verify_files(folder: Path, manifest: dict, progress: Progress):
    """Every file of the backup is there with the checksum the manifest gives."""
    progress(_("Checking the backup's checksums…"))
    expected = {manifest["database"]["file"]: manifest["database"]["sha256"]}
    expected |= {f"{MEDIA}/{name}": entry["sha256"] for name, entry in manifest["media"].items()}
    for name, checksum in expected.items():
        path = folder / name
        if not path.is_file():
            raise BackupError(_("%(path)s is missing from the backup.") % {"path": path})
        if sha256(path) != checksum:
            raise BackupError(
                _("%(path)s is damaged: its checksum differs from the manifest.") % {"path": path}
            )


def restore_backup(folder: Path, database: dict, media_root: Path, progress: Progress) -> Summary:
    """Restore the backup in `folder` into the empty `database` and into `media_root`."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    verify_files(folder, manifest, progress)

    with connect(database) as target, target.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'spatial_ref_sys' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
    if tables:
        raise BackupError(
            _(
                "The database %(name)s is not empty (%(count)d tables, e.g. %(table)s). "
                "Restore into a new, empty database."
            )
            % {"name": database["NAME"], "count": len(tables), "table": tables[0]}
        )
    clashes = [
        name
        for name, entry in manifest["media"].items()
        if (media_root / name).is_file() and sha256(media_root / name) != entry["sha256"]
    ]
    if clashes:
        raise BackupError(
            _("%(count)d media files would be overwritten with other content, e.g. %(path)s.")
            % {"count": len(clashes), "path": media_root / clashes[0]}
        )

    progress(_("Restoring the database into %(name)s…") % {"name": database["NAME"]})
    run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={database['NAME']}",
            str(folder / manifest["database"]["file"]),
        ],
        database,
        "pg_restore",
    )
    progress(_("Restoring %(count)d media files…") % {"count": len(manifest["media"])})
    for name in manifest["media"]:
        target = media_root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / MEDIA / name, target)

    progress(_("Comparing the restored data with the manifest…"))
    with connect(database) as target, target.cursor() as cursor:
        counts = table_counts(cursor)
    differing = [
        f"{table}: {manifest['tables'].get(table)} → {counts.get(table)}"
        for table in sorted(set(counts) | set(manifest["tables"]))
        if counts.get(table) != manifest["tables"].get(table)
    ]
    if differing:
        raise BackupError(
            _("The restored row counts differ from the backup's: %(tables)s")
            % {"tables": "; ".join(differing)}
        )
    for name, entry in manifest["media"].items():
        if sha256(media_root / name) != entry["sha256"]:
            raise BackupError(
                _("%(path)s differs from the backup after copying.") % {"path": media_root / name}
            )
    return Summary(
        tables=len(counts),
        rows=sum(counts.values()),
        media_files=len(manifest["media"]),
        media_bytes=sum(entry["bytes"] for entry in manifest["media"].values()),
        dump_bytes=manifest["database"]["bytes"],
    )
