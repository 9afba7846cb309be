# SPDX-License-Identifier: EUPL-1.2
"""gunicorn's settings in production: `make serve` and `make load` both run with these.

    .venv/bin/gunicorn config.wsgi --config python:config.gunicorn

A walk evening is hundreds of phones posting small requests that mostly wait for
PostgreSQL, with a few heavy ones among them (a photo is decoded and re-encoded, about
0.15 s of CPU). With sync workers each of those holds a whole worker, and the point posts
queue behind it (docs/reliability.md measured p95 6.3 s with four sync workers on two
cores). Threaded workers (gthread) serve other requests while one waits for the database
or for Pillow, which releases the GIL while it decodes and encodes.
"""

import os

# Processes: one per core and one more, so that a core is not idle while a process waits.
workers = int(os.environ.get("WORKERS", "3"))
worker_class = "gthread"
# Threads per process. Each thread keeps its own database connection (CONN_MAX_AGE), so
# PostgreSQL sees at most WORKERS × THREADS connections from the service.
threads = int(os.environ.get("THREADS", "4"))
# Idle keep-alive connections are kept this many seconds: longer than the TLS proxy keeps
# its own idle upstream connections (nginx: 60 s), so that the proxy, not gunicorn, closes
# an idle one. A close from gunicorn can cross a request the client is just sending, which
# then fails without an answer (`make load` saw one in 5,742 point posts with 5 s, walkers
# posting every 5–15 s).
keepalive = 75
bind = os.environ.get("BIND", "127.0.0.1:8000")
