"""The read-replica rule (gis_app/replica.py) in itself: which alias each read and write gets.
The end-to-end check with a real streaming standby is tests/test_read_replica.py."""
import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from rest_framework.authtoken.models import Token

from boundaries.models import Grid
from gis_app import replica
from gis_app.enforcement.models import Member
from gis_app.incidents.models import Case
from gis_app.tokens.models import TokenAccess


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(replica, "replica_configured", lambda: True)


def test_without_a_replica_setting_stale_reads_use_the_primary():
    assert not replica.replica_configured()
    with replica.stale_reads():
        assert replica.reading_alias() == "default"
        assert replica.ReplicaRouter().db_for_read(Case) == "default"


def test_with_a_replica_stale_reads_of_history_and_territory_go_to_it(with_replica):
    router = replica.ReplicaRouter()
    with replica.stale_reads():
        assert router.db_for_read(Case) == "replica"
        assert router.db_for_read(Grid) == "replica"
        assert replica.reading_alias() == "replica"


def test_with_a_replica_reads_outside_the_stale_scope_stay_on_the_primary(with_replica):
    router = replica.ReplicaRouter()
    assert router.db_for_read(Case) == "default"
    assert replica.reading_alias() == "default"


@pytest.mark.parametrize("model", [get_user_model(), Session, Token, TokenAccess, Member])
def test_authentication_tables_are_read_from_the_primary_even_in_the_stale_scope(with_replica, model):
    with replica.stale_reads():
        assert replica.ReplicaRouter().db_for_read(model) == "default"


def test_writes_always_go_to_the_primary(with_replica):
    with replica.stale_reads():
        assert replica.ReplicaRouter().db_for_write(Case) == "default"


def test_the_stale_scope_ends_with_its_block(with_replica):
    with replica.stale_reads():
        pass
    assert replica.reading_alias() == "default"


def test_migrations_run_on_the_primary_only():
    router = replica.ReplicaRouter()
    assert router.allow_migrate("default", "incidents") is True
    assert router.allow_migrate("replica", "incidents") is False
