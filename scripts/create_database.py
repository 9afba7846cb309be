# SPDX-License-Identifier: EUPL-1.2
"""Create the database named by DATABASE_URL, with PostGIS, if it is not there yet."""

import os
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


def main() -> int:
    url = os.environ["DATABASE_URL"]
    parts = urlsplit(url.replace("postgis://", "postgres://", 1))
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"Created database {name}.")
        with psycopg.connect(parts._replace(scheme="postgresql").geturl(), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            version = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
    except psycopg.Error as error:
        print(
            f"Cannot prepare the database {name!r} at {parts.hostname}:{parts.port}: {error}",
            file=sys.stderr,
        )
        return 1
    print(f"Database {name} is ready (PostGIS {version}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
