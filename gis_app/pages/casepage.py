"""案件页 (/cases/<pk>/): what the router decided and why, who must report for duty, the zones,
the timeline, photos, the audit chain's state, and a button for each step the user may take.

Steps are plain form posts to /cases/<pk>/step/<name>/ carrying the version the user saw.
The services decide everything (who may, from which state, notes, teams, the optimistic
lock); a refusal sends the user back to the case page showing the case as it is now, why the
step was refused (a stale version: someone else acted) and the note and team they typed, still
filled in, so nothing is lost.
"""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gis_app.enforcement.models import Team
from gis_app.enforcement.routing import Refused
from gis_app.incidents.audit import verify_case
from gis_app.incidents.models import Case
from gis_app.incidents.steps import STEP_FUNCTIONS, step_kwargs
from gis_app.incidents.workflow import STEPS, StepError, allowed_steps
from gis_app.pages import labels
from gis_app.pages.access import page_for
from gis_app.pages.decision import explain
from gis_app.pages.rows import row
from gis_app.web.refusal_text import localize

IMAGE_TYPES = ("image/jpeg", "image/png")


def reachable(user, pk):
    """The case if `user` may see it (the incidents app's reach), else None."""
    return Case.objects.visible_to(user).with_overdue().select_related(
        "item", "township", "village", "grid", "hub", "team", "department", "county").filter(pk=pk).first()


def _event(e) -> dict:
    changes = e.changes or {}
    team = changes.get("team")
    detail = ""
    if isinstance(team, dict) and "to" in team:
        detail = f"队伍 {team.get('from') or '（无）'} → {team.get('to')}"
    elif e.kind == "report_for_duty" and changes.get("department"):
        detail = f"部门 {changes['department']}"
    elif e.kind == "escalate" and changes.get("overdue_seconds") is not None:
        detail = f"超期 {int(changes['overdue_seconds']) // 3600} 小时"
    return {
        "seq": e.seq, "kind": e.kind, "label": labels.label(labels.EVENT_LABELS, e.kind),
        "from_state": labels.label(labels.STATE_LABELS, e.from_state) if e.from_state else "",
        "to_state": labels.label(labels.STATE_LABELS, e.to_state) if e.to_state else "",
        "changed": e.from_state != e.to_state,
        "actor": "系统" if e.actor_id is None else e.actor_name,
        "role": labels.label(labels.ROLE_WORDS, e.actor_role),
        "at": timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
        "where": f"{e.where.x:.6f}, {e.where.y:.6f}" if e.where else "",
        "note": e.note if e.kind != "routed" else "", "detail": detail,
    }


def context(request, case, *, notice: dict | None = None, kept: dict | None = None) -> dict:
    user = request.user
    now = timezone.now()
    steps = [STEPS[name] for name in allowed_steps(user, case)]
    breaks = verify_case(case)
    supports = [{"name": s.department.name, "code": s.department.code,
                 "reported_at": timezone.localtime(s.reported_at).strftime("%Y-%m-%d %H:%M") if s.reported_at else ""}
                for s in case.supports.select_related("department")]
    return {
        "title": f"案件 {case.number}",
        "case": case, "r": row(case, now), "description": case.description,
        "decision": explain(case.routing, case.whistle_kind), "trace": (case.routing or {}).get("trace", []),
        "zones": [{"name": z.get("name", z.get("code")), "code": z.get("code"),
                   "zone": labels.label(labels.ZONE_LABELS, z.get("zone"))}
                  for z in (case.routing or {}).get("protected_areas", [])],
        "supports": supports,
        "events": [_event(e) for e in case.events.select_related(None).order_by("seq")],
        "attachments": [{"id": a.pk, "filename": a.filename, "image": a.content_type in IMAGE_TYPES,
                         "url": f"/api/cases/{case.pk}/attachments/{a.pk}/", "size": a.size}
                        for a in case.attachments.all()],
        "audit_ok": not breaks, "audit_breaks": [str(b) for b in breaks],
        "steps": steps, "teams": Team.objects.filter(county_id=case.county_id).order_by("code"),
        "notice": notice, "kept": kept or {},
        "severity": labels.label(labels.SEVERITY_LABELS, case.severity),
        # Near a border and waiting for the command centre: the candidates on a map.
        "candidates": case.border_candidates if case.to_confirm else [],
        "point": {"lon": case.location.x, "lat": case.location.y} if case.location else None,
    }


NOTICE_KEY = "pages-case-notice-{pk}"


@page_for("case_desk")
def case_page(request, pk: int):
    case = reachable(request.user, pk)
    if case is None:
        raise Http404("no such case within reach")
    refused = request.session.pop(NOTICE_KEY.format(pk=pk), None) or {}
    return render(request, "pages/case.html",
                  context(request, case, notice=refused.get("notice"), kept=refused.get("kept")))


NOTICES = {
    409: "其他人刚刚办理了此案件，你看到的已不是最新情况。下面是案件的最新状态；你填写的内容已保留，请确认后再决定。",
    403: "这一步不是你的职责范围。",
    400: "请补全信息后再提交。",
    404: "此案件已不在你的可见范围内。",
}


@require_POST
@page_for("case_desk")
def case_step(request, pk: int, step: str):
    if step not in STEPS:
        raise Http404("no such step")
    case = reachable(request.user, pk)
    if case is None:
        raise Http404("no such case within reach")
    version_text = (request.POST.get("version") or "").strip()
    version = int(version_text) if version_text.isdigit() else None
    note, team = request.POST.get("note", ""), (request.POST.get("team") or "").strip()
    kwargs = step_kwargs(STEPS[step], request.POST)
    try:
        STEP_FUNCTIONS[step](case=case, user=request.user, version=version, note=note, **kwargs)
    except (StepError, Refused) as exc:
        status = exc.status if isinstance(exc, StepError) else exc.refusal.status
        body = exc.as_dict() if isinstance(exc, StepError) else exc.refusal.as_dict()
        detail = localize(body, english=False)["detail"]     # pages are Chinese (refusal_text.py)
        fresh = reachable(request.user, pk)
        if fresh is None:
            raise Http404("no such case within reach")
        # Post/redirect/get: the refusal and what the user typed ride in the session to the
        # case page, which shows the case as it is now with the note and team still filled in.
        request.session[NOTICE_KEY.format(pk=pk)] = {
            "notice": {"status": status, "text": NOTICES.get(status, "无法办理这一步。"), "detail": detail,
                       "step": STEPS[step].label, "seen": version, "now": fresh.version},
            "kept": {"step": step, "note": note, "team": team}}
        return redirect("pages-case", pk=pk)
    messages.success(request, f"已办理：{STEPS[step].label}")
    if reachable(request.user, pk) is None:
        return redirect("pages-home")
    return redirect("pages-case", pk=pk)
