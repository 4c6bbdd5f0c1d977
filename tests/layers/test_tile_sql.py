"""Tile statements compiled once per layer, user and options (layers/tile_sql.py): a cached
statement gives the tile a freshly compiled one gives, for every role, and follows changes of
rights and of data."""
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from boundaries.models import County
from gis_app.bundles import importer
from gis_app.enforcement.models import Member, Team
from gis_app.incidents.models import Case
from gis_app.web import rights_notices
from layers import tile_sql
from tests.bundle_writer import lattice, write_bundle
from tests.elsewhere import Elsewhere, started_elsewhere
from tests.layers.conftest import ROLES, client_for, decode, tile_path
from tests.users import make_user

pytestmark = pytest.mark.django_db

PLACES = [("grids", 120.005, 30.005, 14), ("cases", 120.008, 30.008, 15), ("cases", 120.03, 30.03, 11),
          ("tracks", 120.01, 30.005, 14), ("townships", 120.02, 30.02, 12), ("hubs", 120.04, 30.02, 11)]


@pytest.fixture
def cached(settings, transactional_db):
    """The statement cache on (the suite runs without it), empty before and after.
    Transactional: nothing is kept inside a transaction (change notices wait until it ends),
    and a test's own transaction would be one."""
    settings.TILE_SQL_CACHE_SECONDS = 60
    tile_sql.forget_statements()
    yield
    tile_sql.forget_statements()


@pytest.mark.parametrize("role", [*ROLES, "admin"])
def test_a_cached_statement_gives_the_tile_compiled_per_tile(transactional_db, get, settings, role):
    settings.TILE_SQL_CACHE_SECONDS = 0
    fresh = [get(role, tile_path(*place)) for place in PLACES]
    settings.TILE_SQL_CACHE_SECONDS = 60
    tile_sql.forget_statements()
    for _ in range(2):          # the first compiles and keeps, the second reads the cache
        again = [get(role, tile_path(*place)) for place in PLACES]
        assert [(r.status_code, r.content) for r in again] == [(r.status_code, r.content) for r in fresh]
    tile_sql.forget_statements()


def test_a_users_tiles_of_one_layer_share_one_compiled_statement(get, cached):
    for lon in (120.005, 120.015, 120.025):
        get("command", tile_path("grids", lon, 30.005, 14))
    assert [key[0] for key in _kept()] == ["grids"]


def test_a_changed_role_is_seen_by_the_next_tile(get, world, cached):
    path = tile_path("cases", 120.008, 30.008, 15)
    number = world.cases["in_core"].number
    props = {f["properties"]["code"]: f["properties"] for f in decode(get("planner", path), "cases")}
    assert "description" not in props[number]
    member = world.users["planner"].member
    member.role = "command_centre"
    member.save()
    props = {f["properties"]["code"]: f["properties"] for f in decode(get("planner", path), "cases")}
    assert props[number]["description"].startswith("占道经营")


def test_a_cached_case_statement_reads_overdue_when_it_runs(get, world, cached):
    path = tile_path("cases", 120.008, 30.008, 15)
    number = world.cases["in_core"].number
    props = {f["properties"]["code"]: f["properties"] for f in decode(get("command", path), "cases")}
    assert props[number]["overdue"] is False
    Case.objects.filter(number=number).update(deadline=timezone.now() - timedelta(seconds=1))
    props = {f["properties"]["code"]: f["properties"] for f in decode(get("command", path), "cases")}
    assert props[number]["overdue"] is True


def test_each_user_gets_their_own_compiled_statement(get, world, cached):
    path = tile_path("cases", 121.005, 30.005, 15)
    assert decode(get("command", path), "cases") == []
    codes = {f["properties"]["code"] for f in decode(get("other_command", path), "cases")}
    assert codes == {world.cases["other"].number}
    assert decode(get("command", path), "cases") == []


# --- rights changed by another session (another worker, admin, psql) -------------------------------

@pytest.fixture
def elsewhere(cached):
    other = Elsewhere()
    yield other
    other.close()


def _kept() -> dict:
    """The statements this test's database session keeps."""
    return getattr(connection, "_tile_statements", (None, {}))[1]


def _codes(get, role, path) -> set[str]:
    return {f["properties"]["code"] for f in decode(get(role, path), "cases")}


def _kept_drawing(draw, user) -> set[str]:
    """What `draw()` gives, with the statement of `user` that drew it kept."""
    first = draw()
    assert draw() == first                          # the first request of a session keeps none
    assert any(key[4] == user.pk for key in _kept())
    return first


def _kept_codes(get, world, role, path) -> set[str]:
    """The codes `role` gets at `path`, with the statement that drew them kept."""
    return _kept_drawing(lambda: _codes(get, role, path), world.users[role])


def test_a_member_moved_to_another_county_elsewhere_gets_the_new_countys_tiles(get, world, elsewhere):
    path = tile_path("cases", 121.005, 30.005, 15)
    assert _kept_codes(get, world, "command", path) == set()
    elsewhere.execute(f"UPDATE {Member._meta.db_table} SET county_id = %s WHERE user_id = %s",
                      [world.other.county.pk, world.users["command"].pk])
    assert _codes(get, "command", path) == {world.cases["other"].number}


def test_a_team_moved_to_another_township_elsewhere_gets_the_new_townships_tiles(get, world, elsewhere):
    path = tile_path("cases", 120.065, 30.065, 15)
    assert _kept_codes(get, world, "team", path) == set()
    elsewhere.execute(f"UPDATE {Team._meta.db_table} SET township_id = %s WHERE id = %s",
                      [world.t.townships[3].pk, world.users["team"].member.team_id])
    assert _codes(get, "team", path) == {world.cases["far"].number}


def test_a_change_elsewhere_counts_from_its_commit(get, world, elsewhere):
    path = tile_path("cases", 121.005, 30.005, 15)
    assert _kept_codes(get, world, "command", path) == set()
    elsewhere.begin()
    elsewhere.execute(f"UPDATE {Member._meta.db_table} SET county_id = %s WHERE user_id = %s",
                      [world.other.county.pk, world.users["command"].pk], wait=False)
    assert _codes(get, "command", path) == set()
    elsewhere.commit()
    assert _codes(get, "command", path) == {world.cases["other"].number}


def test_no_kept_statement_is_used_inside_a_transaction(get, world, cached):
    """Inside a transaction the notices wait until it ends: the statement is compiled."""
    path = tile_path("cases", 121.005, 30.005, 15)
    assert _kept_codes(get, world, "command", path) == set()
    with transaction.atomic():
        Member.objects.filter(user=world.users["command"]).update(county=world.other.county)
        assert _codes(get, "command", path) == {world.cases["other"].number}
    assert _codes(get, "command", path) == {world.cases["other"].number}


# --- the county box follows a territory reimport made in another session ------------------------

# A territory-only bundle of county 990201 (bundle_writer.lattice: townships of 0.04 degree from
# 118.00 E, 31.00 N, sea 0.04 east of the land), without organisation rows or protected areas
# (whose authority is a department), so that the import writes no team or department and only
# the county's own change notice can tell other sessions.
EAST = tile_path("grids", 118.155, 31.02, 14)   # 118.147..118.169 E: land of a 4-column county only


def _bundle(tmp_path, name, cols):
    layers = lattice(cols=cols)
    del layers["protected_areas"]
    return write_bundle(tmp_path / name, layers=layers, table_rows={"departments": []})


@pytest.fixture
def reimport(tmp_path, elsewhere):
    """A 2-column county, its command centre (a user with its statement for EAST kept, which
    draws nothing: the tile lies east of the county's box) and the 4-column bundle of it."""
    importer.import_bundle(_bundle(tmp_path, "old", cols=2))
    user = make_user("reimport-command", "command_centre", County.objects.get(code="990201"))

    def draw():
        return {f["properties"]["code"] for f in decode(client_for(user).get(EAST), "grids")}

    assert _kept_drawing(draw, user) == set()
    return draw, _bundle(tmp_path, "grown", cols=4)


def test_a_county_reimported_in_another_session_is_drawn_at_the_next_tile(reimport, elsewhere):
    draw, grown = reimport
    started_elsewhere(lambda: importer.import_bundle(grown, replace=True))()
    elsewhere.wait()
    drawn = draw()
    assert drawn and all(code.startswith("990201004") for code in drawn)     # the new 4th township


def test_a_reimport_rolled_back_in_another_session_is_never_drawn(reimport, elsewhere):
    draw, grown = reimport
    started_elsewhere(lambda: importer.import_bundle(grown, replace=True, dry_run=True))()
    # Notices arrive in commit order: once this one is here, any of the dry run's would be too.
    elsewhere.execute("SELECT pg_notify(%s, 'probe')", [rights_notices.CHANGES_CHANNEL])
    connection.connection.poll()
    assert [notice.payload for notice in connection.connection.notifies] == ["probe"]
    assert draw() == set()


# --- prepared statements (tile_sql.run) -----------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_prepared_statement_gives_the_plain_statements_tile_for_every_layer(settings):
    """In autocommit (as a request runs a tile) statements are PREPAREd once per session."""
    from django.db import connection

    from layers import tiles
    from layers.catalogue import layers
    from tests.layers.conftest import build_world, tile_of
    from tests.patrols.helpers import T0

    world = build_world()
    user = world.users["command"]
    options = {"coverage": {"start": T0 - timedelta(days=1), "end": T0 + timedelta(days=1)}}
    places = [(layer.id, *tile_of(lon, lat, z)) for layer in layers() if layer.id != "live-positions"
              for lon, lat, z in ((120.005, 30.005, 14), (120.03, 30.03, 11))]   # (its age moves on)

    def tiles_now():
        return [tiles.build_tile(layers().get(i), user, options.get(i, {}), tiles.TileAddress(z, x, y))
                for i, z, x, y in places]

    settings.TILE_PREPARED_STATEMENTS = False
    plain = tiles_now()
    assert sum(1 for data in plain if data) >= 8
    settings.TILE_PREPARED_STATEMENTS = True
    grids = tile_sql.statement(layers().get("grids"), user, {}, False, True)
    connection.close()
    tiles.build_tile(layers().get("grids"), user, {}, tiles.TileAddress(*tile_of(120.03, 30.03, 11)))
    assert grids.name not in tile_sql._prepared.get(connection.connection, set())   # wide tiles: planned each
    for _ in range(2):              # the first prepares, the second executes what was prepared
        assert tiles_now() == plain
    assert grids.name in tile_sql._prepared[connection.connection]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [grids.name])
        assert cursor.fetchone()[0] == 1


@pytest.mark.django_db(transaction=True)
def test_a_prepared_tile_statement_runs_its_generic_plan_from_the_first_execute():
    """PostgreSQL would plan the first five executions for their values (and every one after,
    when it estimates the generic plan dearer, as over a province's grids)."""
    from django.db import connection

    from layers import tiles
    from layers.catalogue import layers
    from tests.layers.conftest import build_world, tile_of

    user = build_world().users["command"]
    grids = layers().get("grids")
    connection.close()
    for lon in (120.005, 120.006, 120.007):
        tiles.build_tile(grids, user, {}, tiles.TileAddress(*tile_of(lon, 30.005, 14)))
    name = tile_sql.statement(grids, user, {}, False, True).name
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s",
                       [name])
        assert cursor.fetchone() == (3, 0)
        cursor.execute("SELECT current_setting('plan_cache_mode')")
        assert cursor.fetchone()[0] == "auto"          # the session's other statements keep theirs


@pytest.mark.django_db(transaction=True)
def test_a_statement_postgresql_cannot_prepare_runs_plain():
    from django.db import connection

    untyped = tile_sql.Statement("SELECT %s IS NULL", ("x",), False)    # $1's type cannot be inferred
    assert tile_sql.run(connection, untyped, {}) is False
    assert untyped.name in tile_sql._unpreparable
    assert tile_sql.run(connection, untyped, {}) is False


def test_numbered_sql_numbers_the_parameters_and_keeps_percent_signs():
    compiled = tile_sql.Statement("SELECT %s, 'a%%b' LIKE %s", (1, tile_sql.Slot("z")), False)
    assert compiled.numbered_sql == "SELECT $1, 'a%b' LIKE $2"


# --- the same rows, the same bytes ------------------------------------------------------------------

def _plans(*settings_sql):
    from django.db import connection
    with connection.cursor() as cursor:
        for sql in settings_sql:
            cursor.execute(sql)


@pytest.mark.parametrize("layer, lon, lat, z", [("grids", 120.02, 30.02, 12), ("townships", 120.02, 30.02, 12),
                                                ("cases", 120.03, 30.03, 11), ("cases", 120.04, 30.04, 10)])
def test_a_tiles_bytes_do_not_depend_on_the_plan_that_read_its_rows(get, layer, lon, lat, z):
    """Why: the plan that reads a layer's rows changes when the tables' statistics do (autovacuum
    analysing them between two tiles, more so under load), and so did the features' order in
    the tile, its bytes and its ETag, for the same rows."""
    path = tile_path(layer, lon, lat, z)
    _plans("SET LOCAL enable_indexscan = off", "SET LOCAL enable_bitmapscan = off")
    by_scan = get("command", path)
    _plans("SET LOCAL enable_indexscan = on", "SET LOCAL enable_bitmapscan = on", "SET LOCAL enable_seqscan = off",
           "SET LOCAL enable_hashjoin = off", "SET LOCAL enable_hashagg = off")
    by_index = get("command", path)
    assert by_scan.status_code == 200 and len(decode(by_scan, layer)) > 1
    assert by_index.content == by_scan.content
