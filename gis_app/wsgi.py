"""WSGI entry point (gunicorn gis_app.wsgi; deploy/gunicorn.conf.py sets workers and threads).

`application` is Django's, with the web kit's fast path for the single route's token GETs in
front of it (gis_app/web/fast_path.py).

After the app is loaded, the objects it made (modules, URL patterns, the layer registry)
live as long as the worker: `gc.freeze()` moves them out of the collector's generations, so
a full collection no longer walks ~100,000 objects that can never be garbage (the p99 spikes
of a full GC every few hundred requests).
"""
import gc
import os

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_app.settings")
django_application = get_wsgi_application()


def _with_fast_paths(app):
    """The single route's token GETs answered without Django's request stack, everything else
    by Django (gis_app/web/fast_path.py says why and what it checks)."""
    from gis_app.api.route import fast_get
    from gis_app.web.fast_path import FastPaths

    return FastPaths(app, {"/api/route": fast_get})


application = _with_fast_paths(django_application)


def _load_urls() -> None:
    """Resolve the URL patterns now (they import every view module) rather than on the first
    request, so that what they create is frozen with the rest."""
    from django.urls import get_resolver

    get_resolver().url_patterns


#: New decisions kept by the router (enforcement/decision_cache.py) after which a finished
#: request settles them (`_settle_kept`).
SETTLE_AFTER = 2_000
_settled_at = [0]


def _settle_kept(**kwargs) -> None:
    """Once the router's kept decisions have grown (or been renewed) by SETTLE_AFTER since
    last time, collect once and freeze what is left, as at start: the cyclic collector's
    full passes then no longer walk them. Why: a 10,000-point batch keeps ~6,000 decisions
    (dicts of dicts, ~10^5 tracked objects); the full pass those new long-lived objects set
    off came at some later request's start and took 134 ms of a 0.3-0.4 s batch (measured,
    in process, load 1.5). Run on `request_finished`, which the server sends after it has
    written the answer: the client does not wait for it. Each settling may keep for good the
    few cyclic objects of the request still alive then; settlings are as rare as 2,000 new
    decisions."""
    from gis_app.enforcement import decision_cache

    kept = decision_cache.size()
    if abs(kept - _settled_at[0]) >= SETTLE_AFTER:
        _settled_at[0] = kept
        gc.collect()
        gc.freeze()


_load_urls()
gc.collect()
gc.freeze()
request_finished.connect(_settle_kept, dispatch_uid="settle_kept_decisions")
