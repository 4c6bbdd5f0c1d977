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

from collections.abc import Callable
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
    needs_amount: bool = False
    needs_candidate: bool = False
    # For the clock's steps: whether the case's clock allows the step now, and why not.
    when: Callable | None = None
    when_not: str = ""


_ROUTABLE = (State.REPORTED, State.ASSIGNED, State.TRANSFERRED, State.RETURNED)
_WORKING = (State.ASSIGNED, State.TRANSFERRED, State.ACCEPTED, State.ON_SCENE, State.HANDLED,
            State.REVIEWED)



def _running_unasked(case) -> bool:
    return case.clock_resumed_at is not None and not case.clock_request


def _asked(kind: str):
    return lambda case: (case.clock_request or {}).get("kind") == kind


def _stopped(case) -> bool:
    return case.clock_resumed_at is None


# The clock's steps (挂起 / 延期): the acting team, once it has accepted the case, asks with
# a reason; the command centre approves or refuses; the clock stops, moves or runs again
# (incidents/clock.py).
_ON_IT = (State.ACCEPTED, State.ON_SCENE)
_CLOCK_STEPS = [
    Step("suspend_request", "申请挂起", _ON_IT, None, frozenset({"team"}), needs_note=True,
         when=_running_unasked, when_not="the clock is stopped or a request is already pending"),
    Step("suspend_approve", "批准挂起", tuple(OPEN_STATES), None, frozenset({"command"}),
         when=_asked("suspend"), when_not="no suspension request is pending"),
    Step("resume", "恢复计时", tuple(OPEN_STATES), None, frozenset({"command"}),
         when=_stopped, when_not="the clock is running"),
    Step("extend_request", "延期申请", _ON_IT, None, frozenset({"team"}), needs_note=True,
         needs_amount=True, when=_running_unasked,
         when_not="the clock is stopped or a request is already pending"),
    Step("extend_approve", "延期批准", tuple(OPEN_STATES), None, frozenset({"command"}),
         when=_asked("extend"), when_not="no extension request is pending"),
    Step("request_refuse", "驳回申请", tuple(OPEN_STATES), None, frozenset({"command"}), needs_note=True,
         when=lambda case: bool(case.clock_request), when_not="no request is pending"),
]

# Near a border: the command centre confirms the routed place or picks another candidate.
_CONFIRM_STEPS = [
    Step("confirm_place", "确认属地", tuple(OPEN_STATES), None, frozenset({"command"}),
         when=lambda case: case.to_confirm, when_not="the case is not waiting for confirmation"),
    Step("pick_candidate", "改定属地", tuple(OPEN_STATES), None, frozenset({"command"}), needs_note=True,
         needs_candidate=True, when=lambda case: case.to_confirm,
         when_not="the case is not waiting for confirmation"),
]

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
    *_CLOCK_STEPS,
    *_CONFIRM_STEPS,
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
    return [s.name for s in STEPS.values() if case.state in s.sources and kinds & s.actors
            and (s.when is None or s.when(case))]


def check_step(step: Step, user, case) -> None:
    if not actor_kinds(user, case) & step.actors:
        whose = " or ".join(sorted({"team": "the acting team", "command": "the command centre",
                                    "supporting": "a supporting department"}[a] for a in step.actors))
        raise StepError(403, "forbidden", f"{step.name} ({step.label}) is the job of {whose}")
    if case.state not in step.sources:
        raise StepError(409, "wrong_state", f"{step.name} ({step.label}) cannot be taken in state "
                        f"{case.state}; it needs one of {', '.join(step.sources)}")
    if step.when is not None and not step.when(case):
        raise StepError(409, "wrong_state", f"{step.name} ({step.label}) cannot be taken now: "
                        f"{step.when_not}")
