#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Provision everything Lyhty needs on Debian 12: system packages, the venv, a PostGIS
# database. Safe to run again: it reuses what is there and only adds what is missing.
#
#   scripts/provision.sh          packages, venv and database for running the service
#   scripts/provision.sh --test   the same, and QGIS (python3-qgis), which the tests use to
#                                 open the QGIS project Lyhty exports (the service never does)
#
# Database: $DATABASE_URL when set; otherwise a PostgreSQL server on 127.0.0.1:5432 if
# one answers; otherwise a private cluster in var/pg (port 54329), created and started here.
# The URL chosen is written to var/database_url, which config/settings.py reads.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PG_BIN=/usr/lib/postgresql/15/bin
# Chromium prints the safety plan to PDF and its maps to PNG, and runs the browser tests.
PACKAGES=(postgresql-15 postgresql-15-postgis-3 gdal-bin gettext python3-venv chromium
    fonts-dejavu-core)
if [[ ${1:-} == --test ]]; then
    PACKAGES+=(python3-qgis qgis-providers)
fi

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# --- 1. Debian packages -----------------------------------------------------------
missing=()
for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if ((${#missing[@]})); then
    command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then
        echo "Lyhty needs these Debian packages: ${missing[*]}" >&2
        echo "Install them as root, then run this again:" >&2
        echo "    sudo sh -c '$command'" >&2
        exit 1
    fi
    say "Installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# --- 2. Python virtual environment ---------------------------------------------------
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "Lyhty needs Python 3.11; $PYTHON is $("$PYTHON" --version)." >&2
    exit 1
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [[ ! -f $stamp ]]; then
    say "Creating .venv and installing Lyhty's pinned dependencies"
    [[ -x .venv/bin/python ]] || "$PYTHON" -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check --upgrade pip
    .venv/bin/pip install -q --disable-pip-version-check -e '.[dev]'
    rm -f .venv/.installed-* && touch "$stamp"
fi

# --- 3. PostgreSQL with PostGIS --------------------------------------------------------
mkdir -p var
if [[ -n "${DATABASE_URL:-}" ]]; then
    url=$DATABASE_URL
elif "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p 5432 -t 3; then
    url=postgres://postgres@127.0.0.1:5432/lyhty
else
    data=$ROOT/var/pg/data
    port=54329
    run_as=()
    if [[ $(id -u) -eq 0 ]]; then
        # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
        run_as=(runuser -u postgres --)
        mkdir -p var/pg && chown postgres:postgres var/pg
        if ! runuser -u postgres -- test -w var/pg; then
            echo "The postgres user cannot write to $ROOT/var/pg; clone Lyhty somewhere it can reach." >&2
            exit 1
        fi
    fi
    if [[ ! -f $data/PG_VERSION ]]; then
        say "Creating a private PostgreSQL cluster in var/pg"
        "${run_as[@]}" "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 \
            --locale=C.UTF-8 >var/pg/initdb.log 2>&1 \
            || { cat var/pg/initdb.log >&2; exit 1; }
    fi
    if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p $port; then
        say "Starting the private PostgreSQL cluster on 127.0.0.1:$port"
        mkdir -p var/pg/run
        if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres var/pg/run; fi
        "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$data" -l "$ROOT/var/pg/server.log" -w -t 60 \
            -o "-p $port -k $ROOT/var/pg/run -c listen_addresses=127.0.0.1" start >/dev/null
    fi
    url=postgres://postgres@127.0.0.1:$port/lyhty
fi
[[ -n "${DATABASE_URL:-}" ]] || echo "$url" >var/database_url
DATABASE_URL=$url .venv/bin/python scripts/create_database.py
