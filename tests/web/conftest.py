"""Fixtures of the web kit's tests."""
import pytest

from gis_app.web import auth


@pytest.fixture
def cached(settings, transactional_db):
    """The token cache on (the suite runs without it), empty before and after. Transactional:
    a session keeps no rows inside a transaction (its change notices wait until it ends), and
    a test's own transaction would be one."""
    settings.TOKEN_CACHE_SECONDS = 60
    auth.forget_tokens()
    yield
    auth.forget_tokens()
