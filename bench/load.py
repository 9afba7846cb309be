# SPDX-License-Identifier: EUPL-1.2
"""`make load`: a walk evening of 500 walkers, with a PostgreSQL restart in the middle.

    .venv/bin/python -m bench.load [--walkers 500] [--seconds 120] [--restart-at 60]

The service runs as a municipality runs it (gunicorn with the settings of `make serve`,
config/gunicorn.py, and production settings, behind a trusted proxy) against a PostgreSQL
cluster of its own (var/pg-load, port 54331, made on the first run), so that restarting it
disturbs nothing else on the machine. locust (in .venv-load, see bench/locustfile.py) plays
the walkers: join, a point every 5–15 s through an outbox that retries with the same UUIDs,
a photo on one point in ten, the recorded track every 30 s. `--restart-at 0` runs without
the restart.

Afterwards the database is compared with the walkers' ledger: every UUID a walker made is
stored exactly once (none lost, none doubled), and every confirmed photo is there. The
figures (p50/p95/p99 per request kind, errors, throttled requests) are printed, written to
var/load/latest.md, and recorded by hand in docs/reliability.md.
"""

import argparse
import csv
import os
import random
import resource
import shutil
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORT = 54331
HTTP_PORT = 8767
WORK = ROOT / "var" / "load"
CLUSTER = ROOT / "var" / "pg-load"
LOCUST = ROOT / ".venv-load" / "bin" / "locust"

os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{PG_PORT}/lyhty_load"
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, str(ROOT))

from config import gunicorn as production  # noqa: E402


def say(message: str):
    print(message, flush=True)


class Cluster:
    """A PostgreSQL cluster of the load test's own, owned by the postgres user when run as root."""

    def __init__(self, folder: Path, port: int):
        self.data = folder / "data"
        self.folder = folder
        self.port = port
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []

    def pg_ctl(self, *args):
        command = [
            *self.as_owner,
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "120",
            "-o",
            f"-p {self.port} -k {self.folder / 'run'} -c listen_addresses=127.0.0.1 "
            "-c max_connections=200",
            *args,
        ]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)  # noqa: S603

    def __enter__(self):
        (self.folder / "run").mkdir(parents=True, exist_ok=True)
        if self.as_owner:
            shutil.chown(self.folder, "postgres", "postgres")
            shutil.chown(self.folder / "run", "postgres", "postgres")
        if not (self.data / "PG_VERSION").exists():
            say(f"Creating a PostgreSQL cluster for the load test in {self.folder}")
            subprocess.run(  # noqa: S603
                [
                    *self.as_owner,
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        self.pg_ctl("start")
        return self

    def restart(self) -> float:
        started = time.monotonic()
        self.pg_ctl("restart", "-m", "fast")
        return time.monotonic() - started

    def __exit__(self, *exc):
        self.pg_ctl("stop", "-m", "fast")


def prepare(walkers: int):
    """The demo municipality and an open walk for tonight; returns what the walkers need."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from PIL import Image

    from geo.models import Municipality
    from walks.models import Category, SafetyWalk

    subprocess.run([sys.executable, "scripts/create_database.py"], cwd=ROOT, check=True)  # noqa: S603
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_demo", verbosity=0)
    town = Municipality.objects.get(code="demo")
    now = timezone.now()
    walk = SafetyWalk.objects.create(
        municipality=town,
        title=f"Load test, {walkers} walkers",
        starts_at=now,
        ends_at=now + timedelta(hours=3),
        group="residents",
        state="walking",
    )
    photos = WORK / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2026)  # noqa: S311 - test images
    for n in range(8):
        # A 1600×1200 phone-sized photo with some texture, so the JPEG is not trivially small.
        image = Image.effect_noise((1600, 1200), 40 + 5 * n).convert("RGB")
        image = Image.blend(
            image, Image.new("RGB", image.size, tuple(rng.randrange(256) for _ in "rgb")), 0.6
        )
        image.save(photos / f"photo-{n}.jpg", quality=85)
    with connection.cursor() as cursor:
        # Starting points inside the municipality, so that walks stay in it.
        cursor.execute(
            "SELECT string_agg(ST_X(p.geom) || ',' || ST_Y(p.geom), ';') "
            "FROM ST_Dump(ST_GeneratePoints(ST_Buffer((SELECT geom FROM geo_municipality "
            "WHERE id = %s)::geography, -300)::geometry, %s, 2026)) AS p",
            [town.pk, min(walkers, 500)],
        )
        starts = cursor.fetchone()[0]
    categories = Category.objects.filter(active=True).values_list("code", flat=True)
    return walk, {
        "LOAD_JOIN_CODE": walk.join_code,
        "LOAD_STARTS": starts,
        "LOAD_CATEGORIES": ",".join(categories),
        "LOAD_PHOTOS": str(photos),
        "LOAD_LEDGER": str(WORK / "ledger.txt"),
    }


def warm_up(url: str, workers: int):
    """Until every worker has loaded Django and answers /health/: not part of the figures."""
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"{url}/health/", timeout=30) as response:  # noqa: S310
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.2)

    def ask(_):
        with urllib.request.urlopen(f"{url}/health/", timeout=60) as response:  # noqa: S310
            return response.status

    with ThreadPoolExecutor(workers * 2) as pool:
        list(pool.map(ask, range(workers * 4)))


def read_stats(prefix: Path) -> list[dict]:
    with (prefix.parent / f"{prefix.name}_stats.csv").open() as file:
        return list(csv.DictReader(file))


def check_database(walk, ledger: Path) -> dict:
    """The walkers' ledger against the database: lost, doubled, photos."""
    from django.db import connection

    connection.close()  # the one from before a restart is gone
    entries = Counter()
    made, confirmed, photos = set(), set(), set()
    for line in ledger.read_text().splitlines():
        kind, value = line.split(" ", 1)
        entries[kind] += 1
        {"made": made, "confirmed": confirmed, "photo": photos}.get(kind, set()).add(
            value.split(" ")[0]
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT uuid::text, count(*) FROM walks_observation WHERE walk_id = %s GROUP BY 1",
            [walk.pk],
        )
        stored = dict(cursor.fetchall())
        cursor.execute(
            "SELECT o.uuid::text FROM walks_photo p "
            "JOIN walks_observation o ON o.id = p.observation_id WHERE o.walk_id = %s",
            [walk.pk],
        )
        stored_photos = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT count(*), coalesce(sum(ST_NPoints(geom)), 0) FROM walks_participanttrack t "
            "JOIN walks_walkparticipant p ON p.id = t.participant_id WHERE p.walk_id = %s",
            [walk.pk],
        )
        tracks, track_points = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM walks_walkparticipant WHERE walk_id = %s", [walk.pk])
        participants = cursor.fetchone()[0]
    return {
        "participants": participants,
        "made": len(made),
        "confirmed": len(confirmed),
        "stored": len(stored),
        "lost": len(confirmed - set(stored)),
        "never_confirmed": len(made - confirmed),
        "unknown": len(set(stored) - made),
        "doubled": sum(count - 1 for count in stored.values()),
        "rejected": entries["rejected"],
        "photos_confirmed": len(photos),
        "photos_stored": len(set(stored_photos)),
        "photos_doubled": len(stored_photos) - len(set(stored_photos)),
        "tracks": tracks,
        "track_points": track_points,
    }


def children_cpu() -> float:
    """CPU seconds of the child processes that have ended so far (gunicorn's workers count
    in their master's, once it has reaped them)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 1)[0]


def machine(stats: list[dict], usage: dict) -> list[str]:
    """The CPU the walkers and the service took, and the machine's load: on a shared machine
    the latencies say little without them, the service's CPU a request says more."""
    requests = sum(int(row["Request Count"]) for row in stats if row["Name"] != "Aggregated")
    return [
        "",
        "| the machine | |",
        "|---|---:|",
        f"| load average at the start, at the end | {usage['load_start']}, {usage['load_end']} |",
        f"| CPU of locust (the walkers) | {usage['locust']:.0f} s |",
        f"| CPU of gunicorn (the service; PostgreSQL apart) | {usage['service']:.0f} s |",
        f"| gunicorn's CPU a request | {1000 * usage['service'] / max(requests, 1):.1f} ms |",
    ]


def report(stats: list[dict], checked: dict, args, restart_seconds, usage: dict) -> str:
    lines = [
        f"# Load test: {args.walkers} walkers for {args.seconds} s, "
        + (
            f"PostgreSQL restarted at {args.restart_at} s (took {restart_seconds:.1f} s)"
            if restart_seconds is not None
            else "no restart"
        ),
        "",
        "| request | count | failures | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in stats:
        slowest = float(row["Max Response Time"])
        lines.append(
            f"| {row['Type']} {row['Name']} | {row['Request Count']} | {row['Failure Count']} "
            f"| {row['50%']} | {row['95%']} | {row['99%']} | {slowest:.0f} |"
        )
    lines += ["", "| in the database | |", "|---|---:|"]
    lines += [f"| {key.replace('_', ' ')} | {value} |" for key, value in checked.items()]
    lines += machine(stats, usage)
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walkers", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--restart-at", type=int, default=60, help="0: no restart")
    parser.add_argument("--spawn-rate", type=int, default=25, help="walkers joining per second")
    parser.add_argument(
        "--workers",
        type=int,
        default=production.workers,
        help="gunicorn processes (config/gunicorn.py: WORKERS)",
    )
    args = parser.parse_args()
    if not LOCUST.exists():
        sys.exit(f"{LOCUST} is missing: run `make load`, which installs locust there.")
    WORK.mkdir(parents=True, exist_ok=True)
    ledger = WORK / "ledger.txt"
    ledger.unlink(missing_ok=True)

    with Cluster(CLUSTER, PG_PORT) as cluster:
        walk, walker_env = prepare(args.walkers)
        from bench.server import Server

        restart_seconds = None
        env = {
            # Behind the municipality's proxy: each walker's own address counts for the
            # throttles.
            "TRUSTED_PROXIES": "127.0.0.1/32",
            # gunicorn as `make serve` runs it (worker class, threads).
            "GUNICORN_CMD_ARGS": "--config python:config.gunicorn",
        }
        with Server(HTTP_PORT, workers=args.workers, env=env) as server:
            warm_up(server.url, args.workers)
            say(f"{args.walkers} walkers for {args.seconds} s against {server.url}…")
            command = [
                str(LOCUST),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--only-summary",
                "--users",
                str(args.walkers),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{args.seconds}s",
                "--stop-timeout",
                "120",
                "--host",
                server.url,
                "--csv",
                str(WORK / "run"),
            ]
            usage = {"load_start": load_average()}
            before_locust = children_cpu()
            locust = subprocess.Popen(command, env={**os.environ, **walker_env}, cwd=ROOT)  # noqa: S603
            if args.restart_at:
                time.sleep(args.restart_at)
                say(f"Restarting PostgreSQL at {args.restart_at} s…")
                restart_seconds = cluster.restart()
                say(f"PostgreSQL is back after {restart_seconds:.1f} s.")
            locust.wait()
            usage["load_end"] = load_average()
            after_locust = children_cpu()
        usage["locust"] = after_locust - before_locust
        usage["service"] = children_cpu() - after_locust  # gunicorn has ended and is reaped
        checked = check_database(walk, ledger)
    text = report(read_stats(WORK / "run"), checked, args, restart_seconds, usage)
    (WORK / "latest.md").write_text(text)
    say(text)
    failed = (
        checked["lost"] or checked["doubled"] or checked["unknown"] or checked["never_confirmed"]
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
