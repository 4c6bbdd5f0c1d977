"""Near a border: is another township's land (or the sea) within reach of the point?

A phone's fix is good to some metres; a point 3 m from a township border is as likely on
the other side (FixMyStreet's most common complaint). `near_border` answers, for a point
already routed, every township whose land lies within `tolerance_m` metres (geodesic, on
the ellipsoid) and the sea when the county's water lies within it, each a candidate with
the team and subject the router gives there and its distance in metres. The acting one
(where the point is) is among them at its distance (0 inside); the answer is `ambiguous`
when there is more than one.

What lies within reach is read by the router's own statement (locate.py, asked with the
tolerance: `route(..., tolerance_m=)`), so a single route is one statement, near a border or
not. A candidate's team and subject come from the router itself, at a point of that township
inside the tolerance circle, so one rule decides them (no second copy of the authority
table here).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from gis_app.enforcement.locate import Location, read_territory
from gis_app.enforcement.routing import PointQuery, Refusal, Refused, RoutingDecision, route_points


@dataclass(frozen=True)
class NearBorder:
    tolerance_m: float
    candidates: list[dict]

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    def as_dict(self) -> dict:
        return {"ambiguous": self.ambiguous, "tolerance_m": self.tolerance_m, "candidates": self.candidates}


def tolerance(value: float | None = None, accuracy: float | None = None) -> float:
    """The tolerance asked for, else the phone's reported accuracy, else the setting."""
    if value is not None:
        return float(value)
    if accuracy is not None:
        return float(accuracy)
    return float(settings.ROUTE_TOLERANCE_M)


def within_reach(loc: Location, query: PointQuery, tolerance_m: float) -> tuple[tuple, ...]:
    """(code or None for the sea, name, distance_m, lon, lat of a point of it within reach),
    nearest first: read with the location when it was located with this tolerance (the
    router's one statement, `route(..., tolerance_m=)`), else by that statement again."""
    if loc.reach is not None and loc.reach_m == tolerance_m:
        return loc.reach
    return read_territory([query.lon], [query.lat], (), tolerance_m).locations[0].reach or ()


def near_border(decision: RoutingDecision, item_code: str, tolerance_m: float, now=None,
                county_ids=None) -> NearBorder:
    """The candidates within `tolerance_m` of the routed point (the acting one included)."""
    acting = {"team": decision.team, "subject": decision.subject, "mode": decision.mode}
    return near_border_at(decision.placement.location, decision.placement.query, acting,
                          item_code, tolerance_m, now=now, county_ids=county_ids)


def near_border_at(loc: Location, query: PointQuery, acting: dict, item_code: str,
                   tolerance_m: float, now=None, county_ids=None) -> NearBorder:
    """`near_border` for a point routed to `acting` (an answer dict: its team, subject and
    mode) at `loc`: what `GET /api/route` answers from a kept decision, without a
    RoutingDecision (batch_answers.route_answer)."""
    acting_code = loc.township.code if loc.township else None
    out = []
    reach = []
    if tolerance_m > 0:
        reach = within_reach(loc, query, tolerance_m)
    # The other candidates' team and subject: the router at their points, in one statement.
    others = [(x, y) for code, _, _, x, y in reach if code != acting_code]
    routed = iter(route_points([PointQuery(lon=x, lat=y) for x, y in others],
                               [item_code] * len(others), now=now, county_ids=county_ids)
                  if others else ())
    for code, name, distance, x, y in reach:
        if code == acting_code:
            team, subject, mode = acting["team"], acting["subject"], acting["mode"]
        else:
            there = next(routed)
            if isinstance(there, Refusal):
                raise Refused(there)
            team, subject, mode = there.team, there.subject, there.mode
        out.append({"code": code, "name": name if code else "海域", "at_sea": code is None,
                    "team": team, "subject": subject, "mode": mode,
                    "distance_m": round(distance, 2), "acting": code == acting_code,
                    "lon": round(x, 7), "lat": round(y, 7), "crs": "EPSG:4326"})
    if not any(c["acting"] for c in out):  # the point is exactly where the overlay found nothing
        out.insert(0, {"code": acting_code, "name": loc.township.name if loc.township else "海域",
                       "at_sea": loc.at_sea, "team": acting["team"], "subject": acting["subject"],
                       "mode": acting["mode"], "distance_m": 0.0, "acting": True,
                       "lon": query.lon, "lat": query.lat, "crs": "EPSG:4326"})
    return NearBorder(tolerance_m, out)
