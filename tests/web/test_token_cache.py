"""The token cache (gis_app/web/auth.py): repeated requests skip the token query; revoking a
token, deactivating its user or changing the membership takes effect at the next request,
whoever made the change (this process: signals; another worker or process, or a bulk update:
the database's change notices); each request gets its own user object."""
import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from gis_app.enforcement.models import Member
from gis_app.tokens.models import TokenAccess
from gis_app.web import auth
from tests.elsewhere import Elsewhere
from tests.territory import make_territory
from tests.users import auth_header, make_user


@pytest.fixture
def member(cached):
    t = make_territory()
    return make_user("cached-command", role="command_centre", county=t.county)


@pytest.fixture
def elsewhere(cached):
    other = Elsewhere()
    yield other
    other.close()


def _key(user):
    return auth_header(user)["HTTP_AUTHORIZATION"].split()[1]


def _cached_key(user) -> str:
    """The user's key, read once so that the session keeps its row."""
    key = _key(user)
    auth.TokenAuthentication().authenticate_credentials(key)
    return key


def _queries_to_authenticate(key) -> int:
    with CaptureQueriesContext(connection) as queries:
        auth.user_for_key(key)
    return len(queries)


def test_a_known_token_is_read_once_then_from_the_cache(member):
    key = _cached_key(member)
    with CaptureQueriesContext(connection) as queries:
        user, token = auth.TokenAuthentication().authenticate_credentials(key)
    assert len(queries) == 0
    assert (user.pk, token.key, user.member.county_id) == (member.pk, key, member.member.county_id)


def test_each_request_gets_its_own_user_object(member):
    key = _key(member)
    first, _ = auth.TokenAuthentication().authenticate_credentials(key)
    second, _ = auth.TokenAuthentication().authenticate_credentials(key)
    assert first is not second and first.pk == second.pk


def test_a_revoked_token_is_refused_at_once(member):
    key = _cached_key(member)
    Token.objects.get(key=key).delete()
    assert auth.user_for_key(key) is None


def test_a_deactivated_user_is_refused_at_once(member):
    key = _cached_key(member)
    member.is_active = False
    member.save()
    assert auth.user_for_key(key) is None


def test_a_changed_membership_is_read_again(member):
    key = _cached_key(member)
    member.member.role = "planner"
    member.member.save()
    user, _ = auth.TokenAuthentication().authenticate_credentials(key)
    assert user.member.role == "planner"


def test_a_token_revoked_by_another_session_is_refused_at_the_next_request(member, elsewhere):
    key = _cached_key(member)
    elsewhere.execute(f"DELETE FROM {Token._meta.db_table} WHERE key = %s", [key])
    assert auth.user_for_key(key) is None


def test_a_user_deactivated_by_another_session_is_refused_at_the_next_request(member, elsewhere):
    key = _cached_key(member)
    elsewhere.execute(f"UPDATE {get_user_model()._meta.db_table} SET is_active = false WHERE id = %s",
                      [member.pk])
    assert auth.user_for_key(key) is None


def test_a_membership_changed_by_another_session_is_read_at_the_next_request(member, elsewhere):
    key = _cached_key(member)
    elsewhere.execute(f"UPDATE {Member._meta.db_table} SET role = 'planner' WHERE user_id = %s",
                      [member.pk])
    user, _ = auth.TokenAuthentication().authenticate_credentials(key)
    assert user.member.role == "planner"


def test_a_membership_removed_by_another_session_is_read_at_the_next_request(member, elsewhere):
    key = _cached_key(member)
    elsewhere.execute(f"DELETE FROM {Member._meta.db_table} WHERE user_id = %s", [member.pk])
    user, _ = auth.TokenAuthentication().authenticate_credentials(key)
    assert not hasattr(user, "member")


def test_a_token_made_read_only_by_another_session_refuses_writes_at_the_next_request(member, elsewhere):
    key = _cached_key(member)
    elsewhere.execute(f"INSERT INTO {TokenAccess._meta.db_table} (token_id, read_only) VALUES (%s, true)",
                      [key])
    with pytest.raises(auth.ReadOnlyToken):
        auth.user_for_key(key, "POST")


def test_a_bulk_update_without_signals_is_read_at_the_next_request(member):
    key = _cached_key(member)
    get_user_model().objects.filter(pk=member.pk).update(is_active=False)
    assert auth.user_for_key(key) is None


def test_a_change_elsewhere_to_another_account_drops_the_kept_rows(member, elsewhere):
    key = _cached_key(member)
    elsewhere.execute(f"UPDATE {get_user_model()._meta.db_table} SET first_name = 'x' WHERE id <> %s",
                      [member.pk])
    assert _queries_to_authenticate(key) == 1


def test_nothing_is_kept_or_used_inside_a_transaction(member):
    key = _cached_key(member)
    with transaction.atomic():
        assert _queries_to_authenticate(key) == 1
        assert _queries_to_authenticate(key) == 1
    assert _queries_to_authenticate(key) == 0


def test_a_reopened_session_reads_the_token_again(member):
    key = _cached_key(member)
    connection.close()
    assert _queries_to_authenticate(key) >= 1
    assert _queries_to_authenticate(key) == 0


def test_unknown_keys_are_not_kept(member):
    assert auth.user_for_key("0" * 40) is None
    assert _queries_to_authenticate("0" * 40) == 1


def test_no_cache_when_the_setting_is_zero(settings, member):
    settings.TOKEN_CACHE_SECONDS = 0
    key = _cached_key(member)
    assert _queries_to_authenticate(key) == 1


def test_a_cached_row_builds_what_the_orm_reads(member):
    """Token, user and Member from the cached row: the ORM's field values, loaded state (not
    adding, this database), relations in place; each request its own objects."""
    key = _cached_key(member)
    user, token = auth.TokenAuthentication().authenticate_credentials(key)
    orm = Token.objects.select_related("user__member").get(key=key)
    for built, read in ((token, orm), (user, orm.user), (user.member, orm.user.member)):
        fields = [f.attname for f in type(read)._meta.concrete_fields]
        assert [getattr(built, f) for f in fields] == [getattr(read, f) for f in fields]
        assert (built._state.adding, built._state.db) == (False, read._state.db) and built == read
    assert token.user is user and user.member.user is user
    _, again = auth.TokenAuthentication().authenticate_credentials(key)
    assert again is not token and again.user.member is not user.member


def test_a_broken_session_uses_no_kept_row(member):
    """A session the server closed cannot hear notices: its rows are not used (the token
    query then fails like any query on it, and Django opens a new session next request)."""
    _cached_key(member)
    assert auth._session_rows(connection) is not None
    connection.connection.close()
    try:
        assert auth._session_rows(connection) is None
    finally:
        connection.close()      # Django's side of it, so the next query opens a new session


def test_a_route_request_with_a_kept_token_sends_the_routers_statement_alone(member, client):
    """One round trip a request: the router's statement (the token comes from the kept row,
    its notices are read without a query)."""
    headers, point = auth_header(member), {"lon": 120.005, "lat": 30.005, "item": "I001"}
    assert client.get("/api/route", point, **headers).status_code == 200   # the row is kept
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/route", point, **headers).status_code == 200
    assert [q["sql"].split("EXECUTE ")[-1][:21] for q in queries] == ["router_read_territory"]
