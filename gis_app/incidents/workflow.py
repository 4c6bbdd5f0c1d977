"""The case loop as an explicit state machine: which step goes from where to where, and
whose job it is.

高平's seven steps map onto it: 一口受理 intake (reported), 一键转办 routing/transfer
(assigned, transferred), 分类处置 accept/arrive/handle, 协调联动 supporting departments
report for duty, 复核回访 review, 督办问效 escalate, 办结归档 close/archive.

Who acts (`actors`):
- `team`: a member of the acting team (a township team member of that team, or a
  department member whose department owns that team);
- `command`: the county command centre;
- `supporting`: a member of one of the case's supporting departments (1+N).
"""
from __future__ import annotations

from dataclasses import dataclass

from gis_app.incidents.access import acts_for_team, actor_kinds  # noqa: F401 (re-exported: steps name their actors)
from gis_app.incidents.models import OPEN_STATES, State


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change (escalate, report for duty)
    actors: frozenset[str]
    needs_note: bool = False
    needs_team: bool = False


_ROUTABLE = (State.REPORTED, State.ASSIGNED, State.TRANSFERRED, State.RETURNED)
_WORKING = (State.ASSIGNED, State.TRANSFERRED, State.ACCEPTED, State.ON_SCENE, State.HANDLED,
            State.REVIEWED)

STEPS: dict[str, Step] = {s.name: s for s in [
    Step("accept", "受理", (State.ASSIGNED, State.TRANSFERRED), State.ACCEPTED, frozenset({"team"})),
    Step("return", "退回", (State.ASSIGNED, State.TRANSFERRED, State.ACCEPTED), State.RETURNED,
         frozenset({"team"}), needs_note=True),
    Step("arrive", "到场", (State.ACCEPTED,), State.ON_SCENE, frozenset({"team"})),
    Step("handle", "处置", (State.ON_SCENE,), State.HANDLED, frozenset({"team"}), needs_note=True),
    Step("review", "复核回访", (State.HANDLED,), State.REVIEWED, frozenset({"command"}), needs_note=True),
    Step("send_back", "复核不通过", (State.HANDLED,), State.ACCEPTED, frozenset({"command"}), needs_note=True),
    Step("close", "办结", (State.REVIEWED,), State.CLOSED, frozenset({"command"})),
    Step("archive", "归档", (State.CLOSED,), State.ARCHIVED, frozenset({"command"})),
    Step("transfer", "转办", (*_ROUTABLE, State.ACCEPTED), State.TRANSFERRED, frozenset({"command"}),
         needs_note=True, needs_team=True),
    Step("reroute", "重新派遣", _ROUTABLE, State.ASSIGNED, frozenset({"command"})),
    Step("reject", "不予受理", _ROUTABLE, State.REJECTED, frozenset({"command"}), needs_note=True),
    Step("escalate", "督办", tuple(OPEN_STATES), None, frozenset({"command"})),
    Step("report_for_duty", "部门报到", _WORKING, None, frozenset({"supporting"})),
]}


class StepError(Exception):
    """Refused step: `status` 403 (not this user's job), 409 (wrong state or stale version),
    400 (missing note/team)."""

    def __init__(self, status: int, error: str, detail: str, parameter: str | None = None):
        super().__init__(detail)
        self.status, self.error, self.detail, self.parameter = status, error, detail, parameter

    def as_dict(self) -> dict:
        out = {"error": self.error, "detail": self.detail}
        if self.parameter:
            out["parameter"] = self.parameter
        return out


def allowed_steps(user, case) -> list[str]:
    """The steps `user` may take on `case` now (for clients to show buttons)."""
    kinds = actor_kinds(user, case)
    return [s.name for s in STEPS.values() if case.state in s.sources and kinds & s.actors]


def check_step(step: Step, user, case) -> None:
    if not actor_kinds(user, case) & step.actors:
        whose = " or ".join(sorted({"team": "the acting team", "command": "the command centre",
                                    "supporting": "a supporting department"}[a] for a in step.actors))
        raise StepError(403, "forbidden", f"{step.name} ({step.label}) is the job of {whose}")
    if case.state not in step.sources:
        raise StepError(409, "wrong_state", f"{step.name} ({step.label}) cannot be taken in state "
                        f"{case.state}; it needs one of {', '.join(step.sources)}")
