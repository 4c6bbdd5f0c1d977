"""The per-worker token cache (gis_app/web/auth.py): repeated requests skip the token query;
revoking a token, deactivating its user or changing the membership takes effect at once in
the worker that did it; each request gets its own user object."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from gis_app.web import auth
from tests.territory import make_territory
from tests.users import auth_header, make_user


@pytest.fixture
def member(db):
    t = make_territory()
    return make_user("cached-command", role="command_centre", county=t.county)


def _key(user):
    return auth_header(user)["HTTP_AUTHORIZATION"].split()[1]


def test_a_known_token_is_read_once_then_from_the_cache(cached, member):
    key = _key(member)
    auth.TokenAuthentication().authenticate_credentials(key)
    with CaptureQueriesContext(connection) as queries:
        user, token = auth.TokenAuthentication().authenticate_credentials(key)
    assert len(queries) == 0
    assert (user.pk, token.key, user.member.county_id) == (member.pk, key, member.member.county_id)


def test_each_request_gets_its_own_user_object(cached, member):
    key = _key(member)
    first, _ = auth.TokenAuthentication().authenticate_credentials(key)
    second, _ = auth.TokenAuthentication().authenticate_credentials(key)
    assert first is not second and first.pk == second.pk


def test_a_revoked_token_is_refused_at_once(cached, member, client):
    key = _key(member)
    auth.TokenAuthentication().authenticate_credentials(key)
    Token.objects.get(key=key).delete()
    assert auth.user_for_key(key) is None


def test_a_deactivated_user_is_refused_at_once(cached, member):
    key = _key(member)
    auth.TokenAuthentication().authenticate_credentials(key)
    member.is_active = False
    member.save()
    assert auth.user_for_key(key) is None


def test_a_changed_membership_is_read_again(cached, member):
    key = _key(member)
    auth.TokenAuthentication().authenticate_credentials(key)
    member.member.role = "planner"
    member.member.save()
    user, _ = auth.TokenAuthentication().authenticate_credentials(key)
    assert user.member.role == "planner"


def test_unknown_keys_are_not_kept(cached, db):
    assert auth.user_for_key("0" * 40) is None
    assert auth._rows == {}


def test_no_cache_when_the_setting_is_zero(settings, member):
    settings.TOKEN_CACHE_SECONDS = 0
    auth.forget_tokens()
    key = _key(member)
    auth.TokenAuthentication().authenticate_credentials(key)
    with CaptureQueriesContext(connection) as queries:
        auth.TokenAuthentication().authenticate_credentials(key)
    assert len(queries) == 1


def test_a_cached_row_builds_what_the_orm_reads(cached, member):
    """Token, user and Member from the cached row: the ORM's field values, loaded state (not
    adding, this database), relations in place; each request its own objects."""
    key = _key(member)
    auth.TokenAuthentication().authenticate_credentials(key)
    user, token = auth.TokenAuthentication().authenticate_credentials(key)
    orm = Token.objects.select_related("user__member").get(key=key)
    for built, read in ((token, orm), (user, orm.user), (user.member, orm.user.member)):
        fields = [f.attname for f in type(read)._meta.concrete_fields]
        assert [getattr(built, f) for f in fields] == [getattr(read, f) for f in fields]
        assert (built._state.adding, built._state.db) == (False, read._state.db) and built == read
    assert token.user is user and user.member.user is user
    _, again = auth.TokenAuthentication().authenticate_credentials(key)
    assert again is not token and again.user.member is not user.member
