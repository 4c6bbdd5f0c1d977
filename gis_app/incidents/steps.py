"""Every step a user may take on a case, by name -> its service function: the loop's steps
(loop.py), the clock's (supervision.py: 挂起 / 延期) and the border's (confirmation.py). The API and the case page take
steps through this one table, so a step in `workflow.STEPS` always has its function."""
from gis_app.incidents import confirmation, loop, supervision

STEP_FUNCTIONS = {**loop.STEP_FUNCTIONS, **supervision.STEP_FUNCTIONS, **confirmation.STEP_FUNCTIONS}


def step_kwargs(step, data) -> dict:
    """The step's own inputs from a request's data: the team of a transfer, the amount and
    unit of an extension request."""
    if step.needs_team:
        return {"team_code": (data.get("team") or "").strip() or None}
    if step.needs_candidate:
        return {"candidate": data.get("candidate")}
    if step.needs_amount:
        return {"amount": data.get("amount"), "unit": data.get("unit")}
    return {}
