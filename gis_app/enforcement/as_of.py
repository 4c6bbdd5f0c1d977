"""Routing as of a past generation: a case's own (replay) or the one in force on a date (`?at=`).

Which generation and rule version: a case records the numbers (incidents/replay.py); a date
takes, per county, the last territory generation imported and the last rule version made
before that day ended (Asia/Shanghai). The point is then located in the archive
(archive_locate.py) and decided by the router's own rules (`routing.route_from_read`), with
the severity, deadline and calendar rows of that rule version: no rule is written twice.

Refusals name what is wrong: a date before a county's first import is a 400 naming `at`; a
generation or rule version no longer in the archive (pruned, or recorded before the archive
was kept) is 410 `not_archived`.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from boundaries.models import County, TerritoryGeneration
from gis_app.enforcement.archive_locate import Pin, read_archived_territory
from gis_app.enforcement.locate import locate_point
from gis_app.enforcement.models import RuleVersion
from gis_app.enforcement.routing import PointQuery, Refusal, Refused, route_from_read

NOT_ARCHIVED = "not_archived"


def _not_archived(detail: str, parameter: str | None = None) -> Refused:
    return Refused(Refusal(410, NOT_ARCHIVED, detail, parameter=parameter))


def _pin(county_id: int, generation: TerritoryGeneration | None, version: RuleVersion | None) -> Pin:
    """A pin; generation or version missing from the archive leaves its part None (refused
    when a point falls in that county: `_check_archived`)."""
    return Pin(county_id, generation.number if generation else 0,
               generation.organisation if generation else None, version.tables if version else None,
               version.number if version else None)


def case_pins(county_id: int, generation: int | None, rule_version: int | None) -> dict[int, Pin]:
    """The pin of a case's county at the generation and rule version it recorded."""
    gen = TerritoryGeneration.objects.filter(county_id=county_id, number=generation).first()
    version = RuleVersion.objects.filter(county_id=county_id, number=rule_version).first()
    return {county_id: _pin(county_id, gen, version)}


def day_end(day: date) -> datetime:
    """The first instant after `day` in the local time zone."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min),
                               timezone.get_default_timezone())


def pins_at(day: date) -> dict[int, Pin]:
    """Per county, the generation and rule version in force when `day` ended."""
    end = day_end(day)
    generations = (TerritoryGeneration.objects.filter(imported_at__lt=end)
                   .order_by("county_id", "-number").distinct("county_id"))
    versions = {v.county_id: v for v in RuleVersion.objects.filter(created_at__lt=end)
                .order_by("county_id", "-number").distinct("county_id")}
    return {g.county_id: _pin(g.county_id, g, versions.get(g.county_id)) for g in generations}


def _check_archived(pin: Pin, county, parameter: str | None) -> None:
    if pin.organisation is None:
        raise _not_archived(f"territory generation {pin.generation or '?'} of county {county.code} "
                            f"{county.name} is not in the archive (pruned by prune_generations, or "
                            "recorded before the archive was kept)", parameter)
    if pin.tables is None:
        raise _not_archived(f"the rule version of county {county.code} {county.name} is not in the "
                            "archive (pruned, or recorded before the archive was kept)", parameter)


def route_pinned(query: PointQuery, item_code: str, pins: dict[int, Pin], now: datetime,
                 county_ids=None, parameter: str | None = None) -> tuple[dict, Pin]:
    """(route answer, its county's pin) for the point in the pinned generations; raises
    Refused as `route` does, and 410 when its county's generation is not archived."""
    if len(pins) == 1:         # one county asked for (a case's): refuse at once if unarchived
        (county_id, pin), = pins.items()
        if pin.organisation is None or pin.tables is None:
            _check_archived(pin, County.objects.only("code", "name").get(pk=county_id), parameter)
    read = read_archived_territory(pins, [query.lon], [query.lat], [item_code])
    loc = read.locations[0]
    if loc.inside:
        _check_archived(pins[loc.county.id], loc.county, parameter)
    result = route_from_read([query], [item_code], read, now, county_ids)[0]
    if isinstance(result, Refusal):
        raise Refused(result)
    return result.as_dict(), pins[loc.county.id]


def route_at(query: PointQuery, item_code: str, day: date, county_ids=None) -> dict:
    """The route answer for the point as of `day` (the generation and rule version in force
    at its end), with `as_of` saying which. A day before the point's county was first
    imported is a 400 naming `at`."""
    pins = pins_at(day)
    if not pins:
        first = TerritoryGeneration.objects.order_by("imported_at").first()
        since = f"the first import was on {timezone.localdate(first.imported_at)}" if first else "none yet"
        raise Refused(Refusal(400, "bad_parameter", f"at: {day} is before the first territory "
                                                    f"generation ({since})", parameter="at"))
    try:
        answer, pin = route_pinned(query, item_code, pins, day_end(day) - timedelta(microseconds=1),
                                   county_ids, parameter="at")
    except Refused as exc:
        if exc.refusal.status == 422:    # outside every county then: imported later, or unarchived?
            _explain_outside(query, pins, day)
        raise
    return {**answer, "as_of": {"at": day.isoformat(), "territory_generation": pin.generation,
                                "rule_version": pin.rule_version}}


def _explain_outside(query: PointQuery, pins: dict[int, Pin], day: date) -> None:
    """A point outside every archived county on `day` that lies in a county today: that county
    was first imported after `day` (400 naming `at`), or its generation then is not archived
    (410). Otherwise the outside refusal stands."""
    loc = locate_point(query.lon, query.lat)
    if not loc.inside:
        return
    if loc.county.id not in pins:
        first = TerritoryGeneration.objects.filter(county_id=loc.county.id).order_by("number").first()
        since = f" (its first import: {timezone.localdate(first.imported_at)})" if first else ""
        raise Refused(Refusal(400, "bad_parameter", f"at: {day} is before the first territory "
                                                    f"generation of county {loc.county.code} "
                                                    f"{loc.county.name}{since}", parameter="at"))
    _check_archived(pins[loc.county.id], loc.county, "at")
