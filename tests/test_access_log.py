"""Nothing in the access log reveals a credential: gunicorn runs with the masking logger."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from gis_app.access_log import mask

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("raw, masked", [
    ("GET /map/?token=abc123 HTTP/1.1", "GET /map/?token=*** HTTP/1.1"),
    ("service_code=I001&api_key=k-1&lat=30", "service_code=I001&api_key=***&lat=30"),
    ("/open311/v2/requests.json?API_KEY=Z", "/open311/v2/requests.json?API_KEY=***"),
    ("/tiles/cases/1/2/3.pbf?mytoken_count=2", "/tiles/cases/1/2/3.pbf?mytoken_count=2"),
])
def test_credential_parameters_are_masked(raw, masked):
    assert mask(raw) == masked


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_access_log_holds_no_token(tmp_path):
    port = _free_port()
    log = tmp_path / "access.log"
    env = {**os.environ, "DJANGO_DEBUG": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "gis_app.wsgi", "-c", "deploy/gunicorn.conf.py",
         "-b", f"127.0.0.1:{port}", "-w", "1", "--access-logfile", str(log)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        for path in ("/no-such-page/?token=SECRET-TOKEN-1", "/no-such-page/?api_key=SECRET-KEY-2&x=1"):
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                             headers={"Referer": "http://127.0.0.1/?token=SECRET-3"})
            try:
                urllib.request.urlopen(request, timeout=30)
            except urllib.error.HTTPError:
                pass
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()
    assert "no-such-page" in text and "token=***" in text and "api_key=***" in text
    assert "SECRET" not in text
