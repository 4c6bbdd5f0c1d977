"""The deployment files stay valid: docker-compose.yml parses with the compose tool; production
settings come from the environment and pass `check --deploy`."""
import os
import secrets
import shutil
import subprocess
import sys
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
                         capture_output=True, text=True, env=COMPOSE_ENV)
    assert res.returncode == 0, res.stderr


COMPOSE_ENV = {**os.environ, "POSTGRES_PASSWORD": "p", "DJANGO_SECRET_KEY": "k", "AUDIT_HMAC_KEY": "a",
               "REPLICATION_PASSWORD": "r"}


def test_docker_compose_runs_a_streaming_replica_the_app_reads_from():
    cmd = _compose_command()
    if cmd is None:
        pytest.skip("no compose tool installed (make setup installs docker-compose)")
    res = subprocess.run([*cmd, "-f", str(ROOT / "docker-compose.yml"), "config"],
                         capture_output=True, text=True, env=COMPOSE_ENV)
    assert res.returncode == 0, res.stderr
    import yaml
    services = yaml.safe_load(res.stdout)["services"]
    assert "pg_basebackup" in str(services["replica"]["command"])
    assert "@replica:5432/" in services["app"]["environment"]["DATABASE_REPLICA_URL"]


def test_docker_compose_has_no_default_secrets():
    text = (ROOT / "docker-compose.yml").read_text()
    for name in ("DJANGO_SECRET_KEY", "AUDIT_HMAC_KEY", "POSTGRES_PASSWORD", "REPLICATION_PASSWORD"):
        assert f"${{{name}:?" in text and f"${{{name}:-" not in text


def manage(*args, **env):
    """manage.py in a fresh process with exactly the deployment variables given."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "AUDIT_")) and k != "PYTEST_CURRENT_TEST"}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True,
                          text=True, env={**base, **env}, timeout=120)


PRODUCTION = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(60), "AUDIT_HMAC_KEY": secrets.token_urlsafe(40),
              "DJANGO_HTTPS": "1", "DJANGO_PROXY_SSL_HEADER": "1",
              "DJANGO_ALLOWED_HOSTS": "gis.county.example", "DJANGO_CSRF_TRUSTED_ORIGINS": "https://gis.county.example"}


def test_check_deploy_is_clean_with_production_variables():
    res = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "no issues" in res.stdout


def test_app_refuses_to_start_without_a_secret_key_when_debug_is_off():
    res = manage("check", **{k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"})
    assert res.returncode != 0 and "DJANGO_SECRET_KEY is not set" in res.stderr


def test_app_refuses_to_start_without_the_audit_key_when_debug_is_off():
    res = manage("check", **{k: v for k, v in PRODUCTION.items() if k != "AUDIT_HMAC_KEY"})
    assert res.returncode != 0 and "AUDIT_HMAC_KEY is not set" in res.stderr


def test_production_transport_settings_come_from_the_environment():
    res = manage("shell", "-v", "0", "-c", "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, "
                 "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
                 "s.SECURE_PROXY_SSL_HEADER, s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS)", **PRODUCTION)
    assert res.stdout.split("\n")[0] == ("True True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https') "
                                         "['gis.county.example'] ['https://gis.county.example']")


def test_compose_runs_the_official_postgis_image_with_pgrouting():
    text = (ROOT / "docker-compose.yml").read_text()
    assert "dockerfile: deploy/db.Dockerfile" in text
    assert "DATABASE_URL: postgis://" in text
    db = (ROOT / "deploy" / "db.Dockerfile").read_text()
    assert "FROM postgis/postgis:15-" in db and "postgresql-15-pgrouting" in db
