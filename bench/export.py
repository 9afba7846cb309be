# SPDX-License-Identifier: EUPL-1.2
"""Export of every observation to GeoPackage: the API against plain ogr2ogr of the table."""

import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from analysis.exports import pg_datasource
from walks.models import Observation


def descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found += [int(child) for child in children]
        queue += [int(child) for child in children]
    return found


def rss_mb(pids) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class PeakMemory:
    """The largest resident memory of a process tree, sampled ten times a second."""

    def __init__(self, root_pid: int):
        self.root_pid, self.peak, self.running = root_pid, 0.0, True

    def __enter__(self):
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()
        return self

    def sample(self):
        while self.running:
            self.peak = max(self.peak, rss_mb(descendants(self.root_pid)))
            time.sleep(0.1)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()


def bench_export(http, server_class) -> list[dict]:
    planner = get_user_model().objects.get(username="demo-planner")
    token = Token.objects.get_or_create(user=planner)[0].key
    count = Observation.objects.filter(municipality__code="demo").count()
    datasource, env = pg_datasource()
    results = []
    with tempfile.TemporaryDirectory() as folder, server_class() as server:
        for srid in (4326, 3067):
            raw_path = Path(folder) / f"raw-{srid}.gpkg"
            start = time.perf_counter()
            subprocess.run(  # noqa: S603 - fixed arguments
                [
                    "/usr/bin/ogr2ogr",
                    "-f",
                    "GPKG",
                    str(raw_path),
                    datasource,
                    "walks_observation",
                    "-t_srs",
                    f"EPSG:{srid}",
                    "-nln",
                    "observations",
                ],
                check=True,
                env={**os.environ, **env},
            )
            raw_s = time.perf_counter() - start

            with PeakMemory(server.process.pid) as memory:
                start = time.perf_counter()
                status, body = http(
                    "GET",
                    f"/api/v1/exports/observations.gpkg?municipality=demo&crs=EPSG:{srid}",
                    headers={"Authorization": f"Token {token}"},
                )
                api_s = time.perf_counter() - start
            assert status == 200, body[:300]
            (Path(folder) / f"api-{srid}.gpkg").write_bytes(body)
            results.append(
                {
                    "count": count,
                    "srid": srid,
                    "raw_s": raw_s,
                    "api_s": api_s,
                    "ratio": api_s / raw_s,
                    "peak_mb": memory.peak,
                }
            )
    return results
