"""The bench database helper (bench/benchdb.py): a bench on a fresh machine (no collected
static files) prints no WhiteNoise warning, and keeps every other warning."""
import os
import subprocess
import sys
import warnings

from bench.benchdb import STATIC_WARNING, quiet_static_warning

WARN_BOTH = ("import warnings; warnings.warn('No directory at: /nowhere/build/static/'); "
             "warnings.warn('another warning')")


def test_the_missing_build_directory_warning_is_ignored_in_the_bench_process(monkeypatch):
    monkeypatch.delenv("PYTHONWARNINGS", raising=False)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        quiet_static_warning()
        warnings.warn("No directory at: /nowhere/build/static/", UserWarning)
        warnings.warn("another warning", UserWarning)
    assert [str(w.message) for w in seen] == ["another warning"]


def test_servers_the_bench_starts_inherit_the_filter_and_print_other_warnings(monkeypatch):
    monkeypatch.setenv("PYTHONWARNINGS", "default")
    with warnings.catch_warnings():
        quiet_static_warning()
    assert os.environ["PYTHONWARNINGS"] == f"default,{STATIC_WARNING}"
    child = subprocess.run([sys.executable, "-c", WARN_BOTH], env=dict(os.environ),
                           capture_output=True, text=True, check=True)
    assert "No directory at" not in child.stderr
    assert "another warning" in child.stderr


def test_the_filter_is_added_once(monkeypatch):
    monkeypatch.delenv("PYTHONWARNINGS", raising=False)
    with warnings.catch_warnings():
        quiet_static_warning()
        quiet_static_warning()
    assert os.environ["PYTHONWARNINGS"] == STATIC_WARNING
