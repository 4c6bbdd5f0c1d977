"""Every login form is throttled: 20 failures lock the account for a while; passwords are validated."""
import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.users import make_user

pytestmark = pytest.mark.django_db
LOGIN_FORMS = ["/login/", "/admin/login/", "/map/login/"]


def fail(client, url, username, times):
    for _ in range(times):
        client.post(url, {"username": username, "password": "wrong-guess"})


@pytest.mark.parametrize("url", LOGIN_FORMS)
def test_twenty_failed_logins_lock_the_account(client, url):
    user = make_user("victim", superuser=True)
    fail(client, url, "victim", 20)
    response = client.post(url, {"username": "victim", "password": "pw"})
    assert response.status_code == 429
    assert "分钟后再试" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert user.pk


@pytest.mark.parametrize("url", LOGIN_FORMS)
def test_a_few_failures_do_not_lock(client, url):
    make_user("clumsy", superuser=True)
    fail(client, url, "clumsy", 5)
    response = client.post(url, {"username": "clumsy", "password": "pw"})
    assert response.status_code == 302


def test_lockout_lifts_after_the_cool_off(client, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone
    make_user("patient", superuser=True)
    fail(client, "/map/login/", "patient", 20)
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert client.post("/map/login/", {"username": "patient", "password": "pw"}).status_code == 302


def test_api_clients_get_json_when_locked(client):
    make_user("script", superuser=True)
    fail(client, "/admin/login/", "script", 20)
    response = client.post("/admin/login/", {"username": "script", "password": "pw"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 429 and response.json()["error"] == "locked_out"


@pytest.mark.parametrize("password", ["demo", "12345678901", "password123"])
def test_weak_passwords_are_refused_by_the_validators(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_passphrase_is_accepted():
    validate_password("港口巡查-潮汐-2026-晴")
