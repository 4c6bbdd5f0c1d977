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


_load_urls()
gc.collect()
gc.freeze()
