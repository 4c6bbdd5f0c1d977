"""A batch's answers as JSON-ready dicts: one decision per decision key, shared by its points.

What a routing answer says depends on the point's township (and whether it lies on a shared
township border), the covering zones and the item, not on the point itself: a batch's points
with the same (county, township, border count, zone set, item) -- the decision key -- get the
same authority, team, subject, departments, severity and deadline and the same trace lines
but for their own. So the decision is made once per key by the single route's own code
(`routing.shared_place` and `routing.decision_parts` over the same RuleBook) and turned into
its answer dict (`answers.answer_dict`, as `RoutingDecision.as_dict` does) once; each point
then gets only its own fields put in: its village and grid, its deadline, its trace (its own
lines -- the point, its village and its grid -- between the shared ones) and its `query` echo.
Answers are therefore equal to the single route's by construction
(tests/enforcement/test_route_batch.py checks it point by point, in Chinese and in English).

A batch's answers are JSON bytes: the decision's dict is written to JSON once, with holes
where each point's own fields go (`_json_parts`), and each answer is those bytes joined with
its own fields' JSON. Writing every ~1.9 KB answer whole was 4.4 us a point (measured), the
largest single cost of a 10,000-point batch's Python after the statement's rows. A single
route gets a copy of the dict, the shared parts of which are shared objects: read-only, like
every router answer.

Decisions are kept across requests under the county's rules stamp (decision_cache.py), all
but the deadline, which is worked out from each request's clock once per county, item and
severity; the RuleBook is only built for a piece that meets a decision not kept.

`GET /api/route` answers its one point the same way (`route_answer`): a county's single
requests meet the same townships, zones and items again and again, and building the rule
tables and deciding anew was most of a request's own Python (bench/route_stages.py).
"""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.utils import timezone
from orjson import dumps

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
                       head: dict, own_heads: list[dict], now: datetime | None = None,
                       county_ids=None):
    """One answer per point, as (index into `queries`, answer) pairs in the order the points
    are read (a large batch's in pieces of neighbouring points: routing.territory_reads). An
    answer is the JSON of `RoutingDecision.as_dict(**own_heads[i], **head)` (the trace in
    English or Chinese) as bytes, or a Refusal: `own_heads[i]` holds point i's own first
    fields (a batch's index and id), `head` the fields after them that every answer shares."""
    call = _Call(english, head, now or timezone.now())
    for piece in territory_reads(queries, item_codes):
        decisions = _decisions(piece.item_codes, piece.read, county_ids, call)
        for position, query, loc, found in zip(piece.positions, piece.queries,
                                               piece.read.locations, decisions):
            if isinstance(found, Refusal):
                yield position, found
            else:
                yield position, _as_json(found, own_heads[position], query, loc, call)


def route_answer(query: PointQuery, item_code: str, english: bool, now: datetime | None = None,
                 county_ids=None, tolerance_m: float = 0.0):
    """One point's answer (`routing.route(...).as_dict()`, the trace in English or Chinese)
    and its Location, from the decisions kept for its county; raises Refused (400 / 403 /
    422) like `routing.route`. With `tolerance_m` > 0 the one statement also reads what lies
    within reach (`borders.near_border_at`). The dict is the caller's own to add keys to."""
    call = _Call(english, {}, now or timezone.now())
    ((*_, read),) = territory_reads([query], [item_code], tolerance_m)
    (found,) = _decisions([item_code], read, county_ids, call)
    if isinstance(found, Refusal):
        raise Refused(found)
    loc = read.locations[0]
    return _as_dict(found, query, loc, call), loc


class _Call:
    """What one request shares across its pieces: the decisions kept for its language
    (decision_cache.py), those of counties without a stamp (this request's only), and its
    deadlines. The pieces are read from one snapshot, so a key's stamp and decision are the
    same in every piece."""

    def __init__(self, english: bool, head: dict, now: datetime):
        self.english, self.head, self.now = english, head, now
        self.language = 0 if english else 1
        self.kept = decision_cache.table((self.language, tuple(head.items())))
        self.unkept: dict[tuple, _Decision] = {}
        self.deadlines: dict[tuple, str] = {}

    def decide(self, key: tuple, loc: Location, read_book) -> _Decision | None:
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

    def deadline(self, decision: _Decision) -> str:
        """The decision's deadline from this request's clock, worked out once per county and
        time limit (its measure and budget)."""
        text = self.deadlines.get(decision.when)
        if text is None:
            text = self.deadlines[decision.when] = due_at(decision.deadline_rule,
                                                          decision.calendar, self.now)[1]
        return text


def _decisions(item_codes, read: TerritoryRead, county_ids, call: _Call):
    """Per point of `read`, in its order: its decision (see `_decided`) or its Refusal."""
    refusals = refusals_for(read.locations, county_ids)
    stamps = rows.stamps(read.dims)
    book = None

    def read_book() -> RuleBook:        # only when a decision is not kept
        nonlocal book
        if book is None:
            book = RuleBook.from_dims(read.dims)
        return book

    kept, unkept = call.kept, call.unkept
    for i, (loc, code) in enumerate(zip(read.locations, item_codes)):
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
        yield found if found is not None else unknown_item(loc, code)


def _as_dict(found: _Decision, query: PointQuery, loc: Location, call: _Call) -> dict:
    """The point's answer dict: a copy of the decision's with the point's own fields put in
    (those `_as_json` writes into the decision's JSON)."""
    answer = found.answer.copy()
    answer["deadline"] = call.deadline(found)
    village, grid = loc.village, loc.grid
    answer["village"] = village.ref_with_kind if village is not None else None
    answer["grid"] = grid.ref_plain if grid is not None else None
    answer["trace"] = [query.describe_text(call.english), *found.before,
                       *own_lines(loc)[call.language], *found.after]
    answer["query"] = query.as_dict()
    return answer


def _as_json(found: _Decision, own_head: dict, query: PointQuery, loc: Location,
             call: _Call) -> bytes:
    """The point's answer as JSON: its own head, then the decision's JSON with the point's
    own fields (those `_as_dict` puts in) written into its holes (`_OWN`, in order)."""
    first, after_village, after_grid, after_deadline, after_trace, last = found.json_parts
    own = dumps(own_head)[1:-1]
    village, grid = loc.village, loc.grid
    return b"".join((
        b"{", own, b"," if own else b"", first,
        dumps(village.ref_with_kind if village is not None else None), after_village,
        dumps(grid.ref_plain if grid is not None else None), after_grid,
        dumps(call.deadline(found)), after_deadline,
        # the trace: the point's line, the shared lines before its own (`,"..."` each), its
        # own lines, the shared lines after them
        b"[", dumps(query.describe_text(call.english)), found.before_json,
        _items_json(own_lines(loc)[call.language]), found.after_json, b"]", after_trace,
        dumps(query.as_dict()), last))


#: The answer fields each point has of its own, in the order answer_dict writes them.
_OWN = ("village", "grid", "deadline", "trace", "query")


class _Decision(NamedTuple):
    """A decision key's answer but for each point's own fields, in the answer's language;
    kept across requests (decision_cache.py), so read-only."""

    answer: dict                # the answer dict of the key's first point, without a deadline
    before: list                # the trace lines before the point's own lines
    after: list                 # and after them
    when: tuple                 # (county, measure, budget): the deadline, per request
    deadline_rule: object       # the applied deadline rule
    calendar: object            # the county's calendar
    json_parts: list[bytes]     # `answer` as JSON cut at its holes (`_OWN`), without its "{"
    before_json: bytes          # `before` as JSON list items, `,"..."` each
    after_json: bytes           # `after` likewise


def _decided(loc, item, book: RuleBook, english: bool, head: dict) -> _Decision:
    """The decision for `loc`'s key and `item`, by the single route's own parts (so a batch's
    answers equal its), with everything a point's answer is made from but its own fields."""
    before, place_tail, hub, areas, _, _ = shared_place(loc, book)
    rule, departments, severity, (deadline_rule, _, _), tail = \
        decision_parts(loc, item, book, None)       # the deadline: per request (_Call.deadline)
    answer = answer_dict(head, loc, hub, rule.team, rule.subject, rule.mode, severity, areas,
                         departments, None, deadline_rule, item.as_ref, None, None)
    after = [*place_tail, *tail]
    if not english:
        before, after = trace_in_chinese(before), trace_in_chinese(after)
    first, *parts = _json_parts(answer, _OWN)
    return _Decision(answer, before, after,
                     (loc.county.id, deadline_rule.measure, deadline_rule.budget_seconds),
                     deadline_rule, book.calendar(loc.county.id), [first[1:], *parts],
                     _items_json(before), _items_json(after))


def _items_json(items) -> bytes:
    """A list's items as JSON that follows other items of a list: `,"...","..."`, or nothing."""
    return b"," + dumps(items)[1:-1] if items else b""


def _json_parts(data: dict, holes: tuple[str, ...]) -> list[bytes]:
    """`data`'s JSON cut where the values of `holes` (keys of `data`, in its order) go: the
    bytes before the first hole's value, between each two, and after the last. Written whole
    with a marker in each hole and cut there (a batch of 10,000 points makes ~6,000
    decisions: 5 against 9 us for writing a run of fields at a time, measured), unless a
    value holds the marker or the holes are not in the dict's order."""
    marked = data.copy()
    for key in holes:
        if key not in marked:
            raise ValueError(f"hole {key!r} is not a key of the dict")
        marked[key] = _HOLE
    parts = dumps(marked).split(_HOLE_JSON)
    if len(parts) == len(holes) + 1 and all(
            part.endswith(dumps(key) + b":") for part, key in zip(parts, holes)):
        return parts
    if tuple(filter(holes.__contains__, data)) != holes:
        raise ValueError(f"holes {holes} are not in the dict's order")
    parts, run = [b"{"], {}             # the marker is in a value: a run at a time
    for key, value in data.items():
        if key not in holes:
            run[key] = value
            continue
        parts[-1] += (dumps(run)[1:-1] + b"," if run else b"") + dumps(key) + b":"
        parts.append(b",")              # the hole's value, then the next field
        run = {}
    parts[-1] = parts[-1] + dumps(run)[1:] if run else parts[-1][:-1] + b"}"
    return parts


# Private-use characters, which no text of ours has; an imported name that does is written a
# run of fields at a time (`_json_parts`), never cut in the wrong place.
_HOLE = "\ue000 hole \ue000"
_HOLE_JSON = dumps(_HOLE)
