"""The deployment files stay valid: docker-compose.yml parses with the compose tool."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _compose_command():
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"],
                                                 capture_output=True).returncode == 0:
        return ["docker", "compose"]
    return None


def test_docker_compose_file_is_accepted_by_compose():
    cmd = _compose_command()
    if cmd is None:
        pytest.skip("no compose tool installed (make setup installs docker-compose)")
    res = subprocess.run([*cmd, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_compose_runs_the_official_postgis_image_with_pgrouting():
    text = (ROOT / "docker-compose.yml").read_text()
    assert "dockerfile: deploy/db.Dockerfile" in text
    assert "DATABASE_URL: postgis://" in text
    db = (ROOT / "deploy" / "db.Dockerfile").read_text()
    assert "FROM postgis/postgis:15-" in db and "postgresql-15-pgrouting" in db
