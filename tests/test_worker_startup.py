"""What a web worker loads: nothing heavy until a page needs it; workers from the cores."""
import os
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("folium", "branca", "pandas", "geopandas")


def _modules_after(code: str) -> set[str]:
    script = ("import sys\n" + code + "\n"
              "print(' '.join(m for m in sys.modules if m.split('.')[0] in " + repr(HEAVY) + "))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gis_app.settings",
           "DJANGO_SECRET_KEY": "test-only", "AUDIT_HMAC_KEY": "test-only"}
    res = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    return set(res.stdout.split())


def test_loading_the_app_and_its_urls_imports_no_folium_or_pandas():
    assert _modules_after("import gis_app.wsgi\nfrom django.urls import resolve\nresolve('/map/')") == set()


def test_starting_django_loads_no_layer_catalogue_and_no_api_module():
    """Commands and upload workers start Django without ever drawing a map or answering the
    API: the layer declarations (which read the API's access rules) load with the URLs."""
    script = ("import sys, django\ndjango.setup()\n"
              "print(' '.join(m for m in sys.modules if m == 'layers.catalogue' or m.startswith('gis_app.api')))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gis_app.settings",
           "DJANGO_SECRET_KEY": "test-only", "AUDIT_HMAC_KEY": "test-only"}
    res = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    assert res.stdout.split() == []


def test_a_map_page_imports_folium_when_it_renders():
    loaded = _modules_after("import django; django.setup()\n"
                            "from layers import map_views, pages\n"
                            "from django.contrib.auth.models import AnonymousUser\n"
                            "try:\n    map_views.render_page(pages.PAGES['command'], AnonymousUser())\n"
                            "except Exception:\n    pass")
    assert "folium" in loaded


def test_gunicorn_runs_one_worker_per_core_by_default(monkeypatch):
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert conf["workers"] == len(os.sched_getaffinity(0))
    assert conf["worker_class"] == "sync"


def test_gunicorn_threads_switch_to_the_gthread_worker(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (3, 4, "gthread")


def _freeze_counts(new_decisions: int) -> tuple[int, int]:
    """(frozen objects before, after) a finished request, in a worker as served, after the
    router kept `new_decisions` decisions with the settling threshold at 3."""
    script = ("import gc, sys\nimport gis_app.wsgi as w\n"
              "from django.core.signals import request_finished\n"
              "from gis_app.enforcement import decision_cache\n"
              "w.SETTLE_AFTER = 3\n"
              "kept = decision_cache.table(('test',))\n"
              f"for i in range({new_decisions}):\n"
              "    decision_cache.keep(kept, (i,), ({'team': {'code': str(i)}},))\n"
              "before = gc.get_freeze_count()\n"
              "request_finished.send(sender=None)\n"
              "print(before, gc.get_freeze_count())")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gis_app.settings",
           "DJANGO_SECRET_KEY": "test-only", "AUDIT_HMAC_KEY": "test-only"}
    res = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    before, after = map(int, res.stdout.split())
    return before, after


def test_a_finished_request_settles_the_decisions_the_router_kept():
    before, after = _freeze_counts(3)
    assert after > before


def test_fewer_new_decisions_than_the_threshold_are_left_to_the_collector():
    before, after = _freeze_counts(2)
    assert after == before
