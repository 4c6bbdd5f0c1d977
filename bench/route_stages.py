"""Where a single route request's server time goes, stage by stage, in process.

`GET /api/route` is sent through the WSGI application gunicorn serves (gis_app.wsgi: the
same middleware, URL resolution, DRF view and answer), without HTTP, to the bench county of
bench/route_bench.py (run that once first: it builds the county and the token). Reported:
- the database statements a request sends (text heads and how many per request: the aim is
  one, the router's);
- the mean microseconds of the web kit's fast path (gis_app/web/fast_path.py: the token GETs it
  answers) and its checks; of each middleware's own part (its time less the inner ones'), URL
  resolution and DRF's request set-up and checks (the requests Django answers: points outside
  the county, whose 422 the fast path leaves to it); of the view's steps (parameters,
  counties, route_answer(), near-border candidates, JSON), and of the statement's execution
  inside route_answer().

Each stage is timed by a perf_counter wrapper around the function that does it (~0.3 us
each, counted in the stage): the figures are for comparing stages and runs, not for the
request's wall time (route_bench.py measures that over HTTP). Run it under the bench lock:
    /work/notes/benchrun.sh .venv/bin/python bench/route_stages.py [--requests N]
"""
from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from collections import defaultdict
from importlib import import_module
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import use_bench_database  # noqa: E402
from bench.route_bench import CENTRE, CODE, NAME, TERRITORY, ensure_county, random_points  # noqa: E402

WARMUP = 300
_spent: dict[str, float] = defaultdict(float)


def timed(owner, name: str, label: str) -> None:
    """Replace `owner.name` (a function or method) by one that adds its time to `label`."""
    inner = getattr(owner, name)

    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            _spent[label] += time.perf_counter() - t0

    setattr(owner, name, wrapper)


def _middleware_labels() -> list[str]:
    """Each configured middleware's `__call__` timed (inclusive of the ones inside it)."""
    from django.conf import settings

    labels = []
    for path in settings.MIDDLEWARE:
        module, name = path.rsplit(".", 1)
        timed(getattr(import_module(module), name), "__call__", name)
        labels.append(name)
    return labels


def _instrument() -> list[str]:
    """Wrap the stages; returns the middleware labels, outermost first."""
    from django.core.handlers.base import BaseHandler
    from rest_framework.views import APIView

    from gis_app.api import route as view_module
    from gis_app.enforcement import locate

    labels = _middleware_labels()
    timed(BaseHandler, "resolve_request", "URL resolution")
    timed(BaseHandler, "_get_response", "_inner: resolution and view")
    for name, label in (("initialize_request", "DRF: Request and its parsers, authenticators"),
                        ("perform_authentication", "DRF initial(): authentication (token)"),
                        ("check_permissions", "DRF initial(): permissions"),
                        ("check_throttles", "DRF initial(): throttles"),
                        ("perform_content_negotiation", "DRF initial(): negotiation"),
                        ("finalize_response", "DRF: finalize_response"),
                        ("dispatch", "DRF dispatch (all of the view)")):
        timed(APIView, name, label)
    for name in ("wants_english", "visible_county_ids", "parse_point_query", "parse_tolerance",
                 "route_answer", "near_border_at", "json_response", "dumps"):
        timed(view_module, name, f"view: {name}")
    timed(locate, "_territory_read", "route_answer(): the statement's answer to Locations")
    from gis_app.web import fast_path
    timed(fast_path, "_answer", "fast path: all of it (token GETs answered 200)")
    timed(fast_path, "_served_here", "fast path: scheme, host and settings")
    timed(fast_path, "_token_user", "fast path: the token's user")
    timed(fast_path.FastRequest, "clean", "fast path: the input guard's rule")
    timed(view_module, "today_answer", "view: today_answer")
    return labels


def _environ(token: str, x: float, y: float, item: str) -> dict:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/route",
            "QUERY_STRING": urlencode({"lon": x, "lat": y, "item": item}),
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000",
            "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True,
            "wsgi.run_once": False, "wsgi.version": (1, 0), "REMOTE_ADDR": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Token {token}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()

    use_bench_database()
    import logging

    logging.disable(logging.WARNING)          # the expected 422s of points outside
    from django.db import connection

    from bench.territory import voronoi_layers
    token = ensure_county(False, keep_branches=True)
    points = random_points(voronoi_layers(CODE, NAME, CENTRE, **TERRITORY), random.Random(42),
                           WARMUP + args.requests, seed=1)
    labels = _instrument()
    from gis_app.wsgi import application       # as served: URLs loaded, start-up frozen

    def request(point) -> None:
        def start_response(status, headers, exc_info=None):
            if status[:3] not in ("200", "422"):        # 422: outside the county, as expected
                raise RuntimeError(f"/api/route answered {status}")

        body = application(_environ(token, *point), start_response)
        b"".join(body)
        getattr(body, "close", lambda: None)()     # Django's answer; the fast path's is a list

    statements: list[str] = []

    def sent(execute, sql, params, many, context):
        statements.append(sql.split("EXECUTE ")[-1][:40])
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            _spent["route_answer(): the statement (execute and fetch)"] += time.perf_counter() - t0

    for point in points[:WARMUP]:
        request(point)
    _spent.clear()
    t0 = time.perf_counter()
    with connection.execute_wrapper(sent):
        for point in points[WARMUP:]:
            request(point)
    n = args.requests
    wall = (time.perf_counter() - t0) / n
    heads = sorted(set(statements))
    print(f"{n} requests in process, load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
          f"statements per request {len(statements) / n:.3f}: {heads}")
    print(f"mean per request {wall * 1e6:,.0f} us (wrappers included)")
    inclusive = [_spent[label] for label in labels] + [_spent["_inner: resolution and view"]]
    for k, label in enumerate(labels):
        print(f"  middleware {label:<46} own {(inclusive[k] - inclusive[k + 1]) / n * 1e6:7.1f} us")
    for label in sorted(k for k in _spent if k not in labels):
        print(f"  {label:<57} {_spent[label] / n * 1e6:7.1f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
