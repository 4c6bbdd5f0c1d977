"""Near-border cases: the "to confirm" queue of the command centre.

A report whose point has another township's land (or the sea) within the tolerance is
routed as usual (the township where the point is acts at once) but waits in the queue
(`Case.to_confirm`, with the candidates as the router gave them). The command centre then:
- `case_confirm_place`: the routed township stands;
- `case_pick_candidate`: another candidate acts; the case is routed again at that
  candidate's point (its team, subject, supporting departments and clock), the reported
  point stays as reported.
Each is one step through `loop.take` (one transaction, audited).
"""
from __future__ import annotations

from gis_app.enforcement.routing import PointQuery, route
from gis_app.incidents.case_routing import apply_routing, routing_changes, set_supports
from gis_app.incidents.loop import take
from gis_app.incidents.workflow import StepError

SEA = "sea"


def queue(cases):
    """The cases of `cases` waiting for the command centre to confirm their place."""
    return cases.filter(to_confirm=True)


def case_confirm_place(*, case, user, version, note="", where=None, now=None):
    def apply(case, now, note):
        case.to_confirm = False
        acting = next((c for c in case.border_candidates if c.get("acting")), None)
        return {"confirmed": acting and (acting.get("code") or SEA)}
    return take("confirm_place", case=case, user=user, version=version, note=note, where=where,
                 now=now, apply=apply)


def case_pick_candidate(*, case, user, version, candidate=None, note="", where=None, now=None):
    def apply(case, now, note):
        wanted = (candidate or "").strip()
        if not wanted:
            raise StepError(400, "bad_parameter", "candidate: required (a township code of the "
                            "candidates, or 'sea')", parameter="candidate")
        found = next((c for c in case.border_candidates if (c.get("code") or SEA) == wanted), None)
        if found is None:
            codes = ", ".join(c.get("code") or SEA for c in case.border_candidates)
            raise StepError(400, "bad_parameter", f"candidate: {wanted!r} is not one of {codes}",
                            parameter="candidate")
        before = routing_changes(case)
        decision = route(PointQuery(lon=found["lon"], lat=found["lat"]), case.item.code, now=now,
                         county_ids=[case.county_id])
        apply_routing(case, decision, now)
        set_supports(case, decision)
        case.to_confirm = False
        case.border_candidates = [{**c, "acting": c is found} for c in case.border_candidates]
        return {"picked": wanted, "before": before, "after": routing_changes(case)}
    return take("pick_candidate", case=case, user=user, version=version, note=note, where=where,
                 now=now, apply=apply)


STEP_FUNCTIONS = {"confirm_place": case_confirm_place, "pick_candidate": case_pick_candidate}
