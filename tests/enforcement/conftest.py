import pytest

from tests.enforcement.helpers import NOW


@pytest.fixture
def now():
    """The router's clock in these tests."""
    return NOW
