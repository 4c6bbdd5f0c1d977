"""Routing stays consistent while a county is replaced (as `import_bundle --replace` does:
delete the county and load it again, in one transaction on another connection).

Every answer must come entirely from before or entirely from after the replacement.
"""
import threading

import pytest
from django.db import connection, transaction

from boundaries.models import County
from gis_app.enforcement import routing
from gis_app.enforcement.routing import Refused, route
from tests.enforcement.helpers import at
from tests.territory import grant, make_territory

POINT = (120.005, 30.005)
OLD = ("测试县", "township", "T990101001")      # county name, mode, team before
NEW = ("新测试县", "whistle", "TZHZF")           # after: new name, no authority rows


def _load_old():
    t = make_territory()
    grant(t.townships[0], t.items["I001"], "statutory")
    return t


def _replace():
    """The county deleted and loaded again with another name and no authority rows."""
    with transaction.atomic():
        County.objects.filter(code="990101").delete()
        make_territory(name="新测试县")


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
def test_a_replace_committed_between_locating_and_reading_the_rules_is_not_seen(monkeypatch):
    _load_old()
    located, replaced = threading.Event(), threading.Event()
    load = routing.RuleBook.load.__func__

    def load_after_the_replace(cls, *args):
        located.set()                      # the point is located in the old territory...
        assert replaced.wait(10)           # ...and the new one commits before the rules load
        return load(cls, *args)

    monkeypatch.setattr(routing.RuleBook, "load", classmethod(load_after_the_replace))
    thread, out = _in_thread(_answer)
    assert located.wait(10)
    _replace()
    replaced.set()
    thread.join(10)
    assert "error" not in out, out.get("error")
    assert out["value"] == OLD
    monkeypatch.undo()
    assert _answer() == NEW


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
