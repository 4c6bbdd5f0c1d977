"""Fixtures of the web kit's tests."""
import pytest

from gis_app.web import auth


@pytest.fixture
def cached(settings):
    """The per-worker token cache on (the suite runs without it), empty before and after."""
    settings.TOKEN_CACHE_SECONDS = 60
    auth.forget_tokens()
    yield
    auth.forget_tokens()
