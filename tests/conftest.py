import pytest


@pytest.fixture
def territory(db):
    """A 2x2-township generated county with a sea strip, departments, teams and items."""
    from tests.territory import make_territory

    return make_territory()


@pytest.fixture(scope="session", autouse=True)
def batch_second_session_closed(django_db_setup):
    """A batch read in pieces keeps a second database session (enforcement/sessions.py);
    closed before the test database is dropped, which it would otherwise keep in use."""
    yield
    from gis_app.enforcement import sessions

    sessions.close()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Test users need passwords, not the cost of PBKDF2 (a third of a second each)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def media_server():
    """A local HTTP server for Open311 media_url tests; `.serve(path, body)` returns its URL."""
    from tests.media_server import MediaServer

    server = MediaServer()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def live_server_quiet_before_flush(request):
    """A browser test leaves the live server answering tile requests the page started; the
    flush after the test (TRUNCATE of every table) then deadlocks with them and leaves the
    rows behind for the next test. For tests on the live server, the database is set up
    inside this fixture, so this teardown runs before the flush and ends those queries
    (idle connections hold no locks and are left alone)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    with connection.cursor() as cursor:
        # Raw SQL: only pg_stat_activity knows the live server threads' connections.
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                       " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                       " AND state <> 'idle'")
