"""API tokens expire (API_TOKEN_MAX_AGE_DAYS) and are revoked by deleting them."""
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.conftest import home, other  # noqa: F401 (fixtures)
from tests.users import auth_header, make_user

pytestmark = pytest.mark.django_db


def age(user, days):
    Token.objects.filter(user=user).update(created=timezone.now() - timedelta(days=days))


def test_a_fresh_token_works(home):
    user = make_user("c", "command_centre", home.county)
    assert APIClient(**auth_header(user)).get("/api/townships/").status_code == 200


def test_a_token_older_than_the_setting_is_refused_saying_so(home, settings):
    user = make_user("c", "command_centre", home.county)
    headers = auth_header(user)
    settings.API_TOKEN_MAX_AGE_DAYS = 30
    age(user, 31)
    response = APIClient(**headers).get("/api/townships/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_zero_means_tokens_never_expire(home, settings):
    user = make_user("c", "command_centre", home.county)
    headers = auth_header(user)
    settings.API_TOKEN_MAX_AGE_DAYS = 0
    age(user, 3650)
    assert APIClient(**headers).get("/api/townships/").status_code == 200


def test_a_deleted_token_is_revoked(home):
    user = make_user("c", "command_centre", home.county)
    headers = auth_header(user)
    Token.objects.filter(user=user).delete()
    assert APIClient(**headers).get("/api/townships/").status_code == 401
