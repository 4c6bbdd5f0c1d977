"""A batch's answers as JSON-ready dicts: one decision per decision key, shared by its points.

What a routing answer says depends on the point's township (and whether it lies on a shared
township border), the covering zones and the item, not on the point itself: a batch's points
with the same (county, township, border count, zone set, item) -- the decision key -- get the
same authority, team, subject, departments, severity and deadline and the same trace lines
but for their own. So the decision is made once per key by the single route's own code
(`routing.shared_place` and `routing.decision_parts` over the same RuleBook) and turned into
its answer dict (`answers.answer_dict`, as `RoutingDecision.as_dict` does) once; each point
then gets a copy of that dict with only its own fields put in: its village and grid, its
trace (its own lines -- the point, its village and its grid -- between the shared ones) and
its `query` echo. Answers are therefore equal to the
single route's by construction (tests/enforcement/test_route_batch.py checks it point by
point, in Chinese and in English). The shared parts of the copies are shared objects:
read-only, like every router answer.

Decisions are kept across requests under the county's rules stamp (decision_cache.py), all
but the deadline, which is worked out from each request's clock once per county, item and
severity; the RuleBook is only built for a piece that meets a decision not kept.

`GET /api/route` answers its one point the same way (`route_answer`): a county's single
requests meet the same townships, zones and items again and again, and building the rule
tables and deciding anew was most of a request's own Python (bench/route_stages.py).
"""
from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from gis_app.enforcement import decision_cache, rows
from gis_app.enforcement.answer_text import trace_in_chinese
from gis_app.enforcement.answers import PointQuery, Refusal, Refused, answer_dict
from gis_app.enforcement.locate import Location, TerritoryRead
from gis_app.enforcement.routing import (
    decision_parts,
    own_lines,
    refusals_for,
    shared_place,
    territory_reads,
    unknown_item,
)
from gis_app.enforcement.rulebook import RuleBook, due_at


def iter_batch_answers(queries: list[PointQuery], item_codes: list[str | None], english: bool,
                       head: dict, now: datetime | None = None, county_ids=None):
    """One answer per point, as (index into `queries`, answer) pairs in the order the points
    are read (a large batch's in pieces of neighbouring points: routing.territory_reads). An
    answer is a dict (`RoutingDecision.as_dict(**head)`, the trace in English or Chinese) or
    a Refusal. Each dict is the point's own (the caller may set the values of `head`'s keys in
    it); what it shares with other answers it must not change."""
    call = _Call(english, head, now or timezone.now())
    for piece in territory_reads(queries, item_codes):
        yield from zip(piece.positions, _answers(piece.queries, piece.item_codes, piece.read,
                                                 county_ids, call))


def route_answer(query: PointQuery, item_code: str, english: bool, now: datetime | None = None,
                 county_ids=None, tolerance_m: float = 0.0):
    """One point's answer (`routing.route(...).as_dict()`, the trace in English or Chinese)
    and its Location, from the decisions kept for its county; raises Refused (400 / 403 /
    422) like `routing.route`. With `tolerance_m` > 0 the one statement also reads what lies
    within reach (`borders.near_border_at`). The dict is the caller's own to add keys to."""
    call = _Call(english, {}, now or timezone.now())
    ((*_, read),) = territory_reads([query], [item_code], tolerance_m)
    (answer,) = _answers([query], [item_code], read, county_ids, call)
    if isinstance(answer, Refusal):
        raise Refused(answer)
    return answer, read.locations[0]


class _Call:
    """What one batch request shares across its pieces: the decisions kept for its language
    (decision_cache.py), those of counties without a stamp (this request's only), and its
    deadlines. The pieces are read from one snapshot, so a key's stamp and decision are the
    same in every piece."""

    def __init__(self, english: bool, head: dict, now: datetime):
        self.english, self.head, self.now = english, head, now
        self.language = 0 if english else 1
        self.kept = decision_cache.table((self.language, tuple(head.items())))
        self.unkept: dict[tuple, tuple] = {}
        self.deadlines: dict[tuple, str] = {}

    def decide(self, key: tuple, loc: Location, read_book) -> tuple | None:
        """The decision for a key (stamp, county, township, border count, zone set, item code)
        not kept yet, kept under its stamp (or for this request when the county has none);
        None when the item is not in the county's catalogue."""
        book = read_book()
        item = book.items.get((key[1], key[-1]))
        if item is None:
            return None
        found = _decided(loc, item, book, self.english, self.head)
        if key[0] is not None:
            decision_cache.keep(self.kept, key, found)
        else:
            self.unkept[key] = found
        return found

    def deadline(self, decision: tuple) -> str:
        """The decision's deadline from this request's clock, worked out once per county and
        time limit (its measure and budget)."""
        when, rule, calendar = decision[3:]
        text = self.deadlines[when] = due_at(rule, calendar, self.now)[1]
        return text


def _answers(queries, item_codes, read: TerritoryRead, county_ids, call: _Call):
    refusals = refusals_for(read.locations, county_ids)
    stamps = rows.stamps(read.dims)
    book = None

    def read_book() -> RuleBook:        # only when a decision is not kept
        nonlocal book
        if book is None:
            book = RuleBook.from_dims(read.dims)
        return book

    kept, unkept, deadlines = call.kept, call.unkept, call.deadlines
    language, english = call.language, call.english
    for i, (query, loc, code) in enumerate(zip(queries, read.locations, item_codes)):
        if refusals and i in refusals:
            yield refusals[i]
            continue
        if not code:
            yield unknown_item(loc, code)
            continue
        county_id = loc.county.id
        township = loc.township
        stamp = stamps.get(county_id)
        key = (stamp, county_id, township.id if township is not None else None,
               loc.covering_townships, loc.zone_ids, code)
        found = (kept if stamp is not None else unkept).get(key) or call.decide(key, loc, read_book)
        if found is None:
            yield unknown_item(loc, code)
            continue
        template, before, after, when = found[:4]
        answer = template.copy()
        answer["deadline"] = deadlines.get(when) or call.deadline(found)
        village, grid = loc.village, loc.grid
        answer["village"] = village.ref_with_kind if village is not None else None
        answer["grid"] = grid.ref_plain if grid is not None else None
        answer["trace"] = [query.describe_text(english), *before, *own_lines(loc)[language], *after]
        answer["query"] = query.as_dict()
        yield answer


def _decided(loc, item, book: RuleBook, english: bool, head: dict) -> tuple:
    """(the answer dict of the key's first point without its deadline, the trace lines before
    the point's own lines, those after them, in the answer's language; what the deadline is
    worked out from per request: (county, measure, budget), the applied rule, the county's
    calendar)."""
    before, place_tail, hub, areas, _, _ = shared_place(loc, book)
    rule, departments, severity, (deadline_rule, _, _), tail = \
        decision_parts(loc, item, book, None)       # the deadline: per request (_Call.deadline)
    answer = answer_dict(head, loc, hub, rule.team, rule.subject, rule.mode, severity, areas,
                         departments, None, deadline_rule, item.as_ref, None, None)
    after = [*place_tail, *tail]
    if not english:
        before, after = trace_in_chinese(before), trace_in_chinese(after)
    when = (loc.county.id, deadline_rule.measure, deadline_rule.budget_seconds)
    return answer, before, after, when, deadline_rule, book.calendar(loc.county.id)
