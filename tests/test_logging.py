"""What the server logs at the configured LOG_LEVEL (gis_app/settings.py LOGGING).

Each case runs a fresh Python with DEBUG off (settings read LOG_LEVEL once, at import), makes
one request through Django's whole stack, then logs one error as a failing view would
(django.request, ERROR), and reads what reached stderr.
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import logging, django
django.setup()
from django.test import Client
Client().get("/api/route?lon=1&lat=2&api_key=SECRET-KEY-1&token=SECRET-TOKEN-2")
logging.getLogger("django.request").error("Internal Server Error: /api/boom")
"""


def _stderr(level: str | None) -> str:
    """stderr of SCRIPT run with LOG_LEVEL=`level` (None: not set, the default)."""
    env = {k: v for k, v in os.environ.items() if k != "LOG_LEVEL"}
    env.update({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "logging-test-not-secret",
                "AUDIT_HMAC_KEY": "logging-test-not-secret", "DJANGO_SETTINGS_MODULE": "gis_app.settings",
                "DATABASE_URL": "postgis://nobody@127.0.0.1:9/none"})  # no query may be needed
    if level is not None:
        env["LOG_LEVEL"] = level
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_a_refused_request_is_not_logged_below_the_configured_level():
    assert "Unauthorized" not in _stderr("ERROR")


def test_an_error_is_still_logged_at_the_error_level():
    assert "Internal Server Error: /api/boom" in _stderr("ERROR")


def test_a_refused_request_is_logged_at_the_default_level():
    assert "Unauthorized: /api/route" in _stderr(None)


def test_the_refusal_logged_carries_no_credential():
    logged = _stderr("WARNING")
    assert "Unauthorized: /api/route" in logged
    assert "SECRET-KEY-1" not in logged and "SECRET-TOKEN-2" not in logged
