"""Routing stays consistent while a county is replaced (as `import_bundle --replace` does:
delete the county and load it again, in one transaction on another connection).

Every answer must come entirely from before or entirely from after the replacement.
(Removing the single-statement read, e.g. fetching rule rows in a second query, makes the
answers below come out mixed or refused.)
"""
import threading

import pytest
from django.db import connection, transaction

from boundaries.models import County
from django.test.utils import CaptureQueriesContext

from boundaries.branches import refresh_grid_branches
from gis_app.enforcement.routing import Refused, route
from tests.enforcement.helpers import at
from tests.territory import grant, make_hub, make_territory, make_zone

POINT = (120.005, 30.005)
OLD = ("测试县", "township", "T990101001")      # county name, mode, team before
NEW = ("新测试县", "whistle", "TZHZF")           # after: new name, no authority rows


def _load_old():
    t = make_territory()
    grant(t.townships[0], t.items["I001"], "statutory")
    refresh_grid_branches(t.county)
    return t


def _replace():
    """The county deleted and loaded again with another name and no authority rows (and its
    grid branches rebuilt, as the importer does)."""
    with transaction.atomic():
        County.objects.filter(code="990101").delete()
        refresh_grid_branches(make_territory(name="新测试县").county)


def _answer():
    try:
        d = route(at(*POINT), "I001").as_dict()
    except Refused as exc:
        return ("refused", exc.refusal.detail)
    return (d["county"]["name"], d["mode"], d["team"]["code"])


def _in_thread(fn):
    """Run fn on its own connection (as another gunicorn worker would), return its result."""
    out = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as exc:  # re-raised in the test thread
            out["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


@pytest.mark.django_db(transaction=True)
def test_one_route_reads_units_and_rule_rows_in_a_single_statement():
    # One statement sees one snapshot: the structural guarantee that nothing committed
    # half-way through routing can show up in the answer. (Autocommit, as in a request.)
    t = _load_old()
    route(at(*POINT), "I003")          # the first call on a connection prepares the statement
    make_hub(t.townships[0], [t.townships[1]])
    make_zone(t.county, "P1", "core", (120.0, 30.0, 120.01, 30.01), "STHJ")
    for point in [POINT, (120.045, 30.005), (120.1, 30.04), (119.0, 30.0)]:
        with CaptureQueriesContext(connection) as queries:
            try:
                route(at(*point), "I003")
            except Refused:
                pass
        assert len(queries) == 1, [q["sql"][:80] for q in queries]


@pytest.mark.django_db(transaction=True)
def test_answers_during_repeated_replacements_are_each_entirely_old_or_new():
    _load_old()
    done = threading.Event()

    def keep_routing():
        answers = []
        while not done.is_set() or len(answers) < 5:
            answers.append(_answer())
        return answers

    thread, out = _in_thread(keep_routing)
    for _ in range(3):
        _replace()
    done.set()
    thread.join(30)
    assert "error" not in out, out.get("error")
    assert set(out["value"]) <= {OLD, NEW}


@pytest.mark.django_db(transaction=True)
def test_a_batch_read_in_pieces_answers_from_one_snapshot(monkeypatch):
    # A large batch is read in several statements (pieces) in one REPEATABLE READ transaction;
    # a replacement committed between two pieces must not show in the later ones.
    import gis_app.enforcement.locate as locate
    import gis_app.enforcement.routing as routing
    from gis_app.enforcement.routing import iter_route_points

    monkeypatch.setattr(locate, "PIECE_POINTS", 2)
    monkeypatch.setattr(routing, "PIECE_POINTS", 2)
    _load_old()
    answers = iter_route_points([at(*POINT)] * 6, ["I001"] * 6)
    first = [next(answers)[1], next(answers)[1]]         # the first piece, read
    thread, out = _in_thread(_replace)
    thread.join(30)
    assert "error" not in out, out.get("error")
    assert _answer_now() == NEW                          # committed: a new read sees it
    rest = [answer for _, answer in answers]
    got = {(d.placement.location.county.name, d.mode, d.team["code"]) for d in first + rest}
    assert got == {OLD}


def _answer_now():
    """A fresh answer, on a connection of its own (the test's is inside the batch's read)."""
    thread, out = _in_thread(_answer)
    thread.join(30)
    return out["value"]
