"""An upload costs bounded memory however large or bad it is: bytes capped while streaming,
problems capped while reading."""
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gis_app.patrols.collector import MalformedUpload
from gis_app.patrols.ingest import read_upload
from gis_app.patrols.models import Track
from tests.patrols.test_api import FIXES, home, post_track, team_of, user  # noqa: F401 (fixture)
from tests.patrols.helpers import csv_file

ROOT = Path(__file__).resolve().parents[2]


def bad_csv(rows: int) -> io.BytesIO:
    return io.BytesIO(b"time,lon,lat\n" + b"yesterday,east,north\n" * rows)


def test_problems_stop_reading_at_the_cap(settings):
    settings.PATROL_MAX_PROBLEMS = 100
    with pytest.raises(MalformedUpload) as caught:
        read_upload(bad_csv(100_000), filename="bad.csv")
    assert len(caught.value.problems) == 100
    assert "PATROL_MAX_PROBLEMS" in caught.value.as_dict()["stopped"]


def test_too_many_fixes_stop_reading_at_the_cap(settings):
    settings.PATROL_MAX_FIXES = 10
    with pytest.raises(MalformedUpload, match="PATROL_MAX_FIXES"):
        read_upload(csv_file(FIXES), filename="long.csv")


def test_a_50_mb_bad_csv_is_refused_in_under_300_mb(tmp_path):
    path = tmp_path / "bad.csv"
    with open(path, "wb") as out:
        out.write(b"time,lon,lat\n")
        line = b"2026-05-04T08:00:00,not-a-number,30.1\n"
        out.write(line * (50 * 1024 * 1024 // len(line)))
    script = (
        "import django; django.setup()\n"
        "from gis_app.patrols.collector import MalformedUpload\n"
        "from gis_app.patrols.ingest import read_upload\n"
        f"try:\n    read_upload(open({str(path)!r}, 'rb'), filename='bad.csv')\n"
        "except MalformedUpload as exc:\n    print('refused', len(exc.problems))\n"
        # VmHWM is this process's own peak; getrusage's ru_maxrss starts from the size of the
        # forking parent (pytest, hundreds of MB late in a run) and would measure that instead.
        "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) // 1024)\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gis_app.settings", "DJANGO_DEBUG": "1"}
    res = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    refused, peak_mb = res.stdout.split("\n")[:2]
    assert refused.startswith("refused")
    assert int(peak_mb) < 300, res.stdout


def test_upload_over_the_byte_cap_is_413_naming_the_setting(home, settings):  # noqa: F811
    settings.UPLOAD_MAX_BYTES = 50_000
    big = io.BytesIO(b"time,lon,lat\n" + b"2026-05-04T08:00:00,120.01,30.01\n" * 5000)
    response = post_track(user("command_centre", home), team_of(home, 0).code, data=big, name="big.csv")
    assert response.status_code == 413
    assert response.json()["error"] == "upload_too_large"
    assert "UPLOAD_MAX_BYTES" in response.json()["detail"]
    assert not Track.objects.exists()


def test_upload_under_the_byte_cap_is_stored(home, settings):  # noqa: F811
    settings.UPLOAD_MAX_BYTES = 50_000
    assert post_track(user("command_centre", home), team_of(home, 0).code).status_code == 201
