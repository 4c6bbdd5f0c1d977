"""Gunicorn settings for `make demo` and the Docker image (gunicorn -c deploy/gunicorn.conf.py).

The access log goes to stdout with credentials masked (gis_app/access_log.py).

Workers and threads come from the machine's cores. Measured on a 2-core machine (issue 16):
2 sync workers answered 27-40 % more requests at 4 clients than 3 workers, with the same p99.
A request here is mostly CPU (Python and PostGIS on the same cores), so one worker per core
is the default; more workers only queue behind one another and each keeps its own copy of the
app and its database connection. Threads help when requests wait on the database or the
client (large batch answers, slow phones): raise GUNICORN_THREADS to 2-4 then (the gthread
worker is used as soon as threads > 1).

Measured again for the single route (issue 16, one keep-alive client, points interleaved with
the bare statement, 2,000 requests each, same run): 2 sync workers and 2 gthread workers x 2
threads answered alike (p50 5.81 and 5.71 ms, p99 13.4 ms both, load 7.7); a bare WSGI app
under the same gunicorn took 0.76 ms (sync) and 0.88 ms (gthread) and ~0.5 ms of worker CPU per
request, so what is left of a route's fixed cost is Django's and the app's Python, not the
worker model. `--worker-tmp-dir /dev/shm` (the heartbeat file) changed nothing here either.

bench/route_bench.py starts its server from this file (the bench measures the server as
deployed: sync workers, one per core, unless GUNICORN_THREADS is set).

Environment overrides: GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT (and -b/-w on the
command line, which win over this file).
"""
import os

accesslog = "-"
logger_class = "gis_app.access_log.MaskingLogger"

cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
workers = int(os.environ.get("GUNICORN_WORKERS", cores))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
keepalive = 30                    # API clients reuse connections (sync workers ignore it)
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))   # batch routes, bundle imports
