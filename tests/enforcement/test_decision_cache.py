"""Batch and single-route decisions kept across requests (enforcement/decision_cache.py): a
change to any row a decision reads gives the next batch or single route the new rule; nothing kept crosses counties or users; the
deadline follows each request's clock; the cache is bounded."""
import json
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.test import override_settings

from boundaries.models import County, HubArea, ProtectedArea, Township
from gis_app.enforcement import decision_cache
from gis_app.enforcement.answer_text import translate_answer
from gis_app.enforcement.answers import Refusal
from gis_app.enforcement.batch_answers import iter_batch_answers, route_answer
from gis_app.enforcement.models import (Authority, CalendarDay, CatalogItem, DeadlineRule,
                                        Department, SeverityRule, Team)
from gis_app.enforcement.routing import route
from gis_app.enforcement.rulebook import RuleBook
from tests.enforcement.helpers import NOW, at, inside
from tests.territory import grant, make_hub, make_territory, make_zone
from tests.users import auth_header, make_user


@pytest.fixture
def west(db):
    west = make_territory(code="990101", cols=2, rows=2)
    t = west.townships
    grant(t[0], west.items["I001"], "statutory")
    grant(t[1], west.items["I001"], "entrusted", west.departments["ZHZF"])
    make_zone(west.county, "NR1", "core", (120.005, 30.005, 120.015, 30.015), "STHJ")
    DeadlineRule.objects.create(county=west.county, row=1, item_code="I001", limit=1,
                                unit="working_days")
    return west


def _points(west):
    """(lon, lat, item): every township's inside, the zone, the sea; items I001 and I003."""
    pts = [inside(t) for t in west.townships] + [(120.01, 30.01), (west.sea_bbox[0] + 0.02, 30.02)]
    return [(x, y, item) for x, y in pts for item in ("I001", "I003")]


def _batch(points, now=NOW, county_ids=None):
    answers = [None] * len(points)
    for index, answer in iter_batch_answers([at(x, y) for x, y, _ in points],
                                            [i for *_, i in points], True, {},
                                            [{} for _ in points], now=now,
                                            county_ids=county_ids):
        answers[index] = answer if isinstance(answer, Refusal) else json.loads(answer)
    return answers


def _singles(points, now=NOW):
    return [route(at(x, y), item, now=now).as_dict() for x, y, item in points]


def _rename_team(west):
    Team.objects.filter(pk=west.teams[west.townships[0].code].pk).update(name="新名称执法队")


CHANGES = {
    "authority row changed": lambda w: Authority.objects.filter(
        township=w.townships[0], item=w.items["I001"]).update(authority="county"),
    "authority row added": lambda w: grant(w.townships[2], w.items["I001"], "granted"),
    "authority row deleted": lambda w: Authority.objects.filter(township=w.townships[1]).delete(),
    "item renamed": lambda w: CatalogItem.objects.filter(pk=w.items["I001"].pk).update(name="新事项"),
    "item's department": lambda w: CatalogItem.objects.filter(pk=w.items["I003"].pk).update(
        department=w.departments["SCJG"]),
    "supporting department": lambda w: w.items["I001"].supporting_departments.add(
        w.departments["SCJG"]),
    "team renamed": _rename_team,
    "department renamed": lambda w: Department.objects.filter(pk=w.departments["ZHZF"].pk).update(
        name="新执法局"),
    "zone's authority": lambda w: ProtectedArea.objects.filter(code="NR1").update(
        authority_code="ZYGH"),
    "hub added": lambda w: make_hub(w.townships[0], [w.townships[1]]),
    "township renamed": lambda w: Township.objects.filter(pk=w.townships[2].pk).update(name="新镇"),
    "county renamed": lambda w: County.objects.filter(pk=w.county.pk).update(name="新县"),
    "severity row": lambda w: SeverityRule.objects.create(county=w.county, row=1, zone="core",
                                                          severity="normal"),
    "deadline row": lambda w: DeadlineRule.objects.filter(county=w.county).update(limit=3),
    "calendar day": lambda w: CalendarDay.objects.create(county=w.county, day=date(2026, 3, 3),
                                                         workday=False),
}


def _single_answers(points, english=True, now=NOW):
    return [route_answer(at(x, y), item, english, now=now)[0] for x, y, item in points]


ANSWERS = {"batch": lambda points: _batch(points), "single route": _single_answers}


@pytest.mark.parametrize("answers", ANSWERS.values(), ids=ANSWERS.keys())
@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_changed_rule_row_gives_the_next_answers_the_new_rule(west, change, answers):
    points = _points(west)
    before = answers(points)
    assert before == _singles(points)
    change(west)
    after = answers(points)
    assert after == _singles(points)
    assert after != before                 # the change matters to these points


@pytest.fixture
def watch_books(monkeypatch):
    """watch_books() -> the list of the dims of every RuleBook built from then on (a decision
    made, not taken from the kept ones)."""
    def watch() -> list:
        built = []
        real = RuleBook.from_dims.__func__
        monkeypatch.setattr(RuleBook, "from_dims", classmethod(
            lambda cls, dims: built.append(dims) or real(cls, dims)))
        return built
    return watch


def test_a_removed_hub_is_no_longer_answered(west):
    points = _points(west)
    area = make_hub(west.townships[0], [west.townships[1]])
    assert any(a["hub"] for a in _batch(points))
    HubArea.objects.filter(pk=area.pk).delete()
    after = _batch(points)
    assert after == _singles(points) and not any(a["hub"] for a in after)


@pytest.mark.parametrize("answers", ANSWERS.values(), ids=ANSWERS.keys())
def test_nothing_is_decided_again_when_no_rule_changed(west, watch_books, answers):
    points = _points(west)
    singles = _singles(points)
    assert answers(points) == singles
    built = watch_books()
    assert answers(points) == singles
    assert built == []


def test_each_request_gets_its_own_deadline(west):
    points = _points(west)
    _batch(points)
    later = NOW + timedelta(days=1, hours=2)
    answers = _batch(points, now=later)
    assert answers == _singles(points, now=later)
    assert answers[0]["deadline"] != _batch(points)[0]["deadline"]


def test_a_rule_routed_in_a_rolled_back_transaction_is_never_answered_after(west):
    points = _points(west)
    _batch(points)
    with pytest.raises(RuntimeError), transaction.atomic():
        Authority.objects.filter(township=west.townships[0]).update(authority="county")
        assert _batch(points) == _singles(points)
        raise RuntimeError("roll back")
    Authority.objects.filter(township=west.townships[0]).update(authority="none")
    assert _batch(points) == _singles(points)


def test_a_kept_decision_is_never_answered_in_another_county(west):
    east = make_territory(code="990102", name="东县", origin=(121.0, 30.0), cols=2, rows=2)
    grant(east.townships[0], east.items["I001"], "county")
    west_points = _points(west)
    east_points = [(x + 1.0, y, item) for x, y, item in west_points]   # the same layout, east
    _batch(west_points)
    assert _batch(east_points) == _singles(east_points)
    assert _batch(west_points) == _singles(west_points)


def test_a_kept_decision_is_never_answered_to_a_user_of_another_county(client, west):
    east = make_territory(code="990102", name="东县", origin=(121.0, 30.0))
    body = json.dumps({"points": [{"lon": x, "lat": y, "item": i} for x, y, i in _points(west)]})
    ours = make_user("west-cc", "command_centre", west.county)
    theirs = make_user("east-cc", "command_centre", east.county)
    kwargs = {"content_type": "application/json"}
    assert {r["status"] for r in client.post("/api/route/batch", body, **kwargs,
                                             **auth_header(ours)).json()["results"]} == {200}
    results = client.post("/api/route/batch", body, **kwargs, **auth_header(theirs)).json()["results"]
    assert {r["status"] for r in results} == {403}
    assert not any("team" in r for r in results)


def test_the_kept_decisions_are_bounded_by_the_setting(west):
    points = _points(west)
    with override_settings(ROUTER_DECISION_CACHE_ENTRIES=3):
        assert _batch(points) == _singles(points)
        assert 0 < decision_cache.size() <= 3
        assert _batch(points) == _singles(points)
        assert decision_cache.size() <= 3


def test_a_single_route_answers_in_chinese_as_the_router_translated(west):
    points = _points(west)
    assert _single_answers(points, english=False) == [translate_answer(a) for a in _singles(points)]


def test_get_route_answers_a_repeated_point_without_deciding_again(client, west, watch_books):
    user = make_user("west-cc", "command_centre", west.county)
    x, y = inside(west.townships[0])
    url = f"/api/route?lon={x}&lat={y}&item=I001"
    first = client.get(url, **auth_header(user))
    built = watch_books()
    second = client.get(url, **auth_header(user))
    assert first.status_code == second.status_code == 200
    same = [{k: v for k, v in r.json().items() if k != "deadline"} for r in (first, second)]
    assert same[0] == same[1]           # the deadline follows each request's clock
    assert built == []
