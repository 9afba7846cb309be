# SPDX-License-Identifier: EUPL-1.2
"""gunicorn on this checkout with production settings, as a municipality would run it, for
the benches that go through HTTP. WhiteNoise serves the collected, compressed static files."""

import os
import socket
import subprocess
import time
import uuid
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]


class Server:
    """gunicorn with production settings, as a municipality would run it: config/gunicorn.py
    (threaded workers, THREADS threads each), with `workers` processes."""

    port = 8765

    workers = 2

    def __init__(self, port: int | None = None, *, workers: int | None = None, env=None):
        self.port = port or self.port
        self.workers = workers or self.workers
        self.extra_env = env or {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        call_command("collectstatic", interactive=False, verbosity=0)
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_MANIFEST": "0",
            **self.extra_env,
        }
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "config.wsgi",
                # `make serve`'s settings (threaded workers); the options below override
                # only where to listen, how many processes and the timeout.
                "--config",
                "python:config.gunicorn",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "300",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)
