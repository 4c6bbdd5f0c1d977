"""A batch's answers as JSON-ready dicts: one decision per decision key, shared by its points.

What a routing answer says depends on the point's township (and whether it lies on a shared
township border), the covering zones and the item, not on the point itself: a batch's points
with the same (county, township, border count, zone set, item) -- the decision key -- get the
same authority, team, subject, departments, severity and deadline and the same trace lines
but for their own. So the decision is made once per key by the single route's own code
(`routing.shared_place` and `routing.decision_parts` over the same RuleBook) and turned into
its answer dict (`answers.answer_dict`, as `RoutingDecision.as_dict` does) once; each point then gets a copy of that dict with only its own
fields put in: its village and grid, its trace (its own lines -- the point, its village and
its grid -- between the shared ones) and its `query` echo. Answers are therefore equal to the
single route's by construction (tests/enforcement/test_route_batch.py checks it point by
point, in Chinese and in English). The shared parts of the copies are shared objects:
read-only, like every router answer.
"""
from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from gis_app.enforcement.answer_text import trace_in_chinese
from gis_app.enforcement.answers import PointQuery, answer_dict
from gis_app.enforcement.locate import TerritoryRead
from gis_app.enforcement.routing import (
    decision_parts,
    own_lines,
    refusals_for,
    shared_place,
    territory_reads,
    unknown_item,
)
from gis_app.enforcement.rulebook import RuleBook


def iter_batch_answers(queries: list[PointQuery], item_codes: list[str | None], english: bool,
                       head: dict, now: datetime | None = None, county_ids=None):
    """One answer per point, in order: a dict (`RoutingDecision.as_dict(**head)`, the trace in
    English or Chinese) or a Refusal. Each dict is the point's own (the caller may set the
    values of `head`'s keys in it); what it shares with other answers it must not change."""
    now = now or timezone.now()
    # Shared across the pieces of one call: they are read from one snapshot, so a key's
    # rows, and its decision, are the same in every piece.
    shared: dict[tuple, tuple] = {}
    for offset, read in territory_reads(queries, item_codes):
        end = offset + len(read.locations)
        yield from _answers(queries[offset:end], item_codes[offset:end], read, now, county_ids,
                            english, head, shared)


def _answers(queries, item_codes, read: TerritoryRead, now, county_ids, english, head, shared):
    refusals = refusals_for(read.locations, county_ids)
    book = RuleBook.from_dims(read.dims)
    items = book.items
    language = 0 if english else 1
    for i, (query, loc, code) in enumerate(zip(queries, read.locations, item_codes)):
        if refusals and i in refusals:
            yield refusals[i]
            continue
        county = loc.county
        item = items.get((county.id, code)) if code else None
        if item is None:
            yield unknown_item(loc, code)
            continue
        township = loc.township
        key = (county.id, township.id if township is not None else None,
               loc.covering_townships, loc.zone_ids, item.id)
        own = own_lines(loc)[language]
        found = shared.get(key)
        if found is None:
            found = shared[key] = _shared_answer(loc, item, book, now, english, head)
        template, before, after = found
        answer = template.copy()
        village, grid = loc.village, loc.grid
        answer["village"] = village.ref_with_kind if village is not None else None
        answer["grid"] = grid.ref_plain if grid is not None else None
        answer["trace"] = [query.describe_text(english), *before, *own, *after]
        answer["query"] = query.as_dict()
        yield answer


def _shared_answer(loc, item, book: RuleBook, now, english: bool, head: dict):
    """(the answer dict of the key's first point, the trace lines before the point's own
    lines, those after them), in the answer's language."""
    before, place_tail, hub, areas, _, _ = shared_place(loc, book)
    rule, departments, severity, (deadline_rule, _, deadline_text), tail = \
        decision_parts(loc, item, book, now)
    answer = answer_dict(head, loc, hub, rule.team, rule.subject, rule.mode, severity, areas,
                         departments, deadline_text, deadline_rule, item.as_ref, None, None)
    after = [*place_tail, *tail]
    if not english:
        before, after = trace_in_chinese(before), trace_in_chinese(after)
    return answer, before, after
