"""The router: who is responsible at a point, in whose name they act, who is told, by when.

DESIGN §4, step by step, with a trace of why:
1. locate the point (`locate.py`: county, township, village, grid; smallest code on shared
   borders; in the county but on no township = at sea -> the marine team, mode `marine`);
2. protected-area zones covering it: their authority departments are told; severity from the
   county's `severity` table (default core -> `high`, buffer -> `elevated`), naming the row;
3. the township's own team, or its 1+X hub township's team (`hub` names the hub);
4. mode, subject and team from the township's authority for the item (no row = none):
   statutory/granted -> township; entrusted -> the entrusting department; county -> the
   item's department through the local team; none -> whistle to the item's department's team
   (the table itself, as pure functions: `rules.py`);
5. departments = supporting departments + zone authorities (deduplicated, sorted by code);
   deadline = now + the limit of the county's `deadlines` row for the item and severity, on its
   working calendar (no row: the whistle kind's hours, settings.WHISTLE_DEADLINE_HOURS).

One code path serves one point or ten thousand: one statement locates all points and fetches
every rule row they may need (`locate.read_territory`: one snapshot, one round trip), and the
rules are applied in Python over those small tables (`rulebook.RuleBook`; the answers'
shapes are `answers.py`). Parts shared by many
points (zones, trace lines, the authority answer of a township for an item, the answer's
unit and team dicts) are computed once per call and shared: answers are read-only.
Batches of more than `locate.PIECE_POINTS` points are read in pieces from one snapshot
(`locate.read_territory_pieces`), so that the rules of one piece run while the database
reads the next.
"""
from __future__ import annotations

import gc
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from gis_app.enforcement.answer_text import Line
from gis_app.enforcement.answers import (OUTSIDE, WGS84, Placement, PointQuery, Refusal,  # noqa: F401
                                         Refused, RoutingDecision)
from gis_app.enforcement.locate import (PIECE_POINTS, Location, TerritoryRead, Unit,
                                        read_territory, read_territory_pieces, spatial_order)
from gis_app.enforcement.rows import ItemRow
from gis_app.enforcement.rulebook import RuleBook

MAX_BATCH = 10_000


@contextmanager
def gc_paused(enabled: bool = True):
    """Pause the cyclic garbage collector while a batch allocates its ~10^5 small objects.

    Nothing a batch builds is cyclic (reference counting frees it all); yet each 700 new
    containers trigger a collection that walks the growing heap: 0.5 s of a 10,000-point
    batch, measured. Nesting-safe: only the outermost pause re-enables.
    """
    if not enabled or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# --- placing and routing -------------------------------------------------------------------

def _unit_line(level: str, unit: Unit, n: int) -> Line:
    line = Line("covers", level=level, code=unit.code, name=unit.name)
    if n > 1:
        line = line + Line("shared_border", n=n, levels=level)
    return line


def _location_lines(loc: Location) -> list[str]:
    """The trace lines for county and township (or that no township covers the point): the
    same for every point of a township, shared."""
    lines = [_unit_line("county", loc.county, 1)]
    if loc.township is None:
        lines.append(Line("no_township"))
    else:
        lines.append(_unit_line("township", loc.township, loc.covering_townships))
    return lines


def own_lines(loc: Location) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The point's own trace lines, (English, Chinese): its village's and grid's (or that
    none covers it); none at sea. Kept across requests by the values they say (plain tuples):
    a county's grids recur."""
    if loc.township is None:
        return _NO_LINES
    v, g = loc.village, loc.grid
    key = ((v.code, v.name, loc.covering_villages) if v else None,
           (g.code, g.name, loc.covering_grids) if g else None)
    found = _own.get(key)
    if found is None:
        if v is None:
            lines = (Line("no_village"),)
        else:
            lines = (_unit_line("village", v, loc.covering_villages),
                     _unit_line("grid", g, loc.covering_grids) if g else Line("no_grid"))
        if len(_own) >= OWN_LINES_ENTRIES:
            _own.clear()
        found = _own[key] = (lines, tuple(line.zh for line in lines))
    return found


#: Villages' and grids' trace lines kept (see own_lines); cleared whole when full.
OWN_LINES_ENTRIES = 100_000
_own: dict[tuple, tuple] = {}
_NO_LINES: tuple = ((), ())


def shared_place(loc: Location, book: RuleBook) -> tuple:
    """What the points of one township and zone set share: (county and township lines, zone
    and hub lines, hub, protected areas, zone departments, severity without an item)."""
    t = loc.township
    key = (loc.county.id, t.id if t else None, loc.covering_townships, loc.zone_ids)
    shared = book._place_memo.get(key)
    if shared is None:
        zones = book.zone_facts(loc.county.id, loc.zone_ids)
        tail = list(zones.trace)
        hub = book.hubs.get(t.id) if t else None
        if hub:
            tail.append(Line("hub", township=t.name, code=hub.code, name=hub.name))
        shared = book._place_memo[key] = (
            _location_lines(loc), tail, hub, zones.protected_areas, zones.departments,
            book.severity(loc.county.id, loc.zone_ids, zones, ""))
    return shared


def _place(query: PointQuery, loc: Location, book: RuleBook) -> Placement:
    """Where the point is, what protects it, whose hub it is in. All but the point's own trace
    lines (itself, its village and grid) are shared by the points of one township and zone
    set: computed once."""
    head, tail, hub, areas, zone_depts, severity = shared_place(loc, book)
    trace = [query.describe(), *head, *own_lines(loc)[0], *tail]
    return Placement(query, loc, hub, areas, zone_depts, severity, trace)


def decision_parts(loc: Location, item: ItemRow, book: RuleBook, now: datetime | None) -> tuple:
    """What decides the answer for a point of `loc`'s township and zones and an item (steps
    3-5): (authority outcome, departments to notify, severity finding, (applied deadline rule,
    deadline, its text), the trace lines after the placement's). `now` None: no deadline
    (None and None), only its rule."""
    township, county_id = loc.township, loc.county.id
    if township is None:                    # at sea (the county is known here)
        rule = book.marine_rule(loc.county)
    else:
        rule = book.authority_rule(township, book.hubs.get(township.id) or township, item)
    zones = book.zone_facts(county_id, loc.zone_ids)
    departments, departments_line = book.departments_to_notify(item, county_id, loc.zone_ids,
                                                               zones.departments)
    severity = book.severity(county_id, loc.zone_ids, zones, item.domain)
    deadline_rule, deadline, deadline_text, deadline_line = book.deadline(county_id, item,
                                                                          severity.severity, now)
    return (rule, departments, severity, (deadline_rule, deadline, deadline_text),
            [*rule.trace, departments_line, book.severity_line(severity), deadline_line])


def _decide(placement: Placement, item: ItemRow, book: RuleBook, now: datetime) -> RoutingDecision:
    rule, departments, severity, (deadline_rule, deadline, deadline_text), trace = \
        decision_parts(placement.location, item, book, now)
    return RoutingDecision(placement, item.as_ref, rule.team, rule.subject, rule.mode, departments,
                           deadline, [*placement.trace, *trace], deadline_text, severity,
                           deadline_rule)


def _allowed(loc: Location, county_ids) -> bool:
    return county_ids is None or loc.county.id in county_ids


def _forbidden(loc: Location) -> Refusal:
    return Refusal(403, "forbidden", f"the point is in county {loc.county.code} "
                                     f"{loc.county.name}, which this account may not act in")


def refusals_for(locations: list[Location], county_ids) -> dict[int, Refusal]:
    """Points outside every county (422) or outside the caller's counties (403), by index."""
    refusals: dict[int, Refusal] = {}
    for i, loc in enumerate(locations):
        if not loc.inside:
            near = loc.nearest
            where = (f"{near.distance_m:.2f} m from {near.level} {near.unit.code} {near.unit.name}"
                     if near else "no county is loaded")
            refusals[i] = Refusal(422, OUTSIDE, f"the point is outside every county ({where})",
                                  nearest=near)
        elif not _allowed(loc, county_ids):
            refusals[i] = _forbidden(loc)
    return refusals


def _read(queries: list[PointQuery], item_codes, county_ids):
    """Locate every point and fetch the rule rows (one statement); refuse those outside every
    county (422) or outside the caller's counties (403). Returns (locations, refusals by
    index, RuleBook)."""
    read = read_territory([q.lon for q in queries], [q.lat for q in queries], item_codes)
    return read.locations, refusals_for(read.locations, county_ids), RuleBook.from_dims(read.dims)


def unknown_item(loc: Location, code: str | None) -> Refusal:
    """400 for a point whose item code is missing or not in its county's catalogue."""
    reason = (f"unknown item {code!r} in the catalogue of county {loc.county.code} "
              f"{loc.county.name}") if code else "required"
    return Refusal(400, "bad_parameter", f"item: {reason}", parameter="item")


def _route_read(queries, item_codes, read: TerritoryRead, now: datetime,
                county_ids) -> list[RoutingDecision | Refusal]:
    """The answers for points whose territory and rule rows `read` holds, in order."""
    refusals = refusals_for(read.locations, county_ids)
    book = RuleBook.from_dims(read.dims)
    out: list[RoutingDecision | Refusal] = []
    for i, (query, loc, code) in enumerate(zip(queries, read.locations, item_codes)):
        if i in refusals:
            out.append(refusals[i])
            continue
        item = book.items.get((loc.county.id, code)) if code else None
        out.append(unknown_item(loc, code) if item is None
                   else _decide(_place(query, loc, book), item, book, now))
    return out


class PieceRead(NamedTuple):
    """One read of `territory_reads`: the indices of its points in the caller's list, those
    points and their item codes (in the read's order), and what was read for them."""

    positions: Sequence[int]
    queries: list[PointQuery]
    item_codes: list[str | None]
    read: TerritoryRead


def territory_reads(queries: list[PointQuery], item_codes: list[str | None],
                    tolerance_m: float = 0.0):
    """Yield PieceReads covering every point once. A batch of more than `PIECE_POINTS` points
    is read in pieces from one snapshot (`locate.read_territory_pieces`), the points in
    `locate.spatial_order` (a piece covers neighbouring points): the database reads the next
    piece while the caller works on this one. Otherwise one read, the points in order.
    `tolerance_m` > 0 (one point or a few: one statement) also reads what lies within that
    many metres of each point (`Location.reach`, for enforcement/borders.py)."""
    if len(queries) != len(item_codes):
        raise ValueError("one item code per point")
    if len(queries) > PIECE_POINTS and not connection.in_atomic_block and not tolerance_m:
        order = spatial_order([q.lon for q in queries], [q.lat for q in queries])
        queries = [queries[i] for i in order]
        item_codes = [item_codes[i] for i in order]
        for offset, read in read_territory_pieces([q.lon for q in queries],
                                                  [q.lat for q in queries], item_codes):
            end = offset + len(read.locations)
            yield PieceRead(order[offset:end], queries[offset:end], item_codes[offset:end], read)
    else:
        read = read_territory([q.lon for q in queries], [q.lat for q in queries], item_codes,
                              tolerance_m)
        yield PieceRead(range(len(queries)), queries, item_codes, read)


def iter_route_points(queries: list[PointQuery], item_codes: list[str | None],
                      now: datetime | None = None, county_ids=None, tolerance_m: float = 0.0):
    """`route_points` as (index, answer) pairs in the order the points are read (not theirs:
    see `territory_reads`), worked out piece by piece as the pieces are read, so a caller's
    work on the answers overlaps the database's."""
    now = now or timezone.now()
    for piece in territory_reads(queries, item_codes, tolerance_m):
        yield from zip(piece.positions, _route_read(piece.queries, piece.item_codes, piece.read,
                                                    now, county_ids))


def route_from_read(queries: list[PointQuery], item_codes: list[str | None], read: TerritoryRead,
                    now: datetime, county_ids=None) -> list[RoutingDecision | Refusal]:
    """The answers for points whose territory and rule rows `read` holds: a live read, or an
    archived generation's (enforcement/archive_locate.py: replay and `?at=`), decided by the
    same rules."""
    return _route_read(queries, item_codes, read, now, county_ids)


def route_points(queries: list[PointQuery], item_codes: list[str | None],
                 now: datetime | None = None, county_ids=None,
                 tolerance_m: float = 0.0) -> list[RoutingDecision | Refusal]:
    """Route many points at once; one RoutingDecision or Refusal per point, in order.

    `item_codes[i]` is looked up in the county covering point i; `county_ids` limits where
    the caller may act (None: anywhere). `now` fixes the clock for deadlines.
    """
    answers: list = [None] * len(queries)
    with gc_paused(len(queries) > 100):
        for index, answer in iter_route_points(queries, item_codes, now=now,
                                               county_ids=county_ids, tolerance_m=tolerance_m):
            answers[index] = answer
    return answers


def route(query: PointQuery, item_code: str, now: datetime | None = None,
          county_ids=None, tolerance_m: float = 0.0) -> RoutingDecision:
    """Route one point; raises Refused (400 / 403 / 422) when there is no decision. With
    `tolerance_m` > 0 the same statement reads what lies within reach, for `near_border`."""
    result = route_points([query], [item_code], now=now, county_ids=county_ids,
                          tolerance_m=tolerance_m)[0]
    if isinstance(result, Refusal):
        raise Refused(result)
    return result


def place_points(queries: list[PointQuery], county_ids=None) -> list[Placement | Refusal]:
    """The units, zones and hub at each point, without an item (the map screen's locate)."""
    locations, refusals, book = _read(queries, (), county_ids)
    return [refusals[i] if i in refusals else _place(q, loc, book)
            for i, (q, loc) in enumerate(zip(queries, locations))]


def place(query: PointQuery, county_ids=None) -> Placement:
    result = place_points([query], county_ids)[0]
    if isinstance(result, Refusal):
        raise Refused(result)
    return result
