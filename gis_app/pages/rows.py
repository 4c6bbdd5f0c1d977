"""A case as one row of the queue, the map and the exports (same words everywhere)."""
from __future__ import annotations

from django.utils import timezone

from gis_app.pages import labels
from gis_app.web.renderers import safe_cell


def time_left(case, now) -> str:
    """'剩 3小时20分' / '超期 2天4小时' / '' for finished cases."""
    if not case.is_open():
        return ""
    if case.deadline is None:  # 挂起: the clock is stopped
        return "已挂起"
    seconds = int((case.deadline - now).total_seconds())
    minutes = abs(seconds) // 60
    days, hours, mins = minutes // 1440, (minutes % 1440) // 60, minutes % 60
    text = (f"{days}天{hours}小时" if days else f"{hours}小时{mins}分" if hours else f"{mins}分")
    return f"剩 {text}" if seconds >= 0 else f"超期 {text}"


def place(case) -> str:
    parts = [u.name for u in (case.township, case.village, case.grid) if u is not None]
    return " / ".join(parts) if parts else ("海上" if case.at_sea else "")


def row(case, now=None) -> dict:
    now = now or timezone.now()
    overdue = getattr(case, "overdue", None)
    if overdue is None:
        overdue = case.is_overdue(now)
    return {
        "id": case.pk,
        "number": case.number,
        "item": case.item.name,
        "item_code": case.item.code,
        "place": place(case),
        "township": case.township.name if case.township else "",
        "team": case.team.name if case.team else "",
        "subject": (case.subject or {}).get("name", ""),
        "mode": labels.label(labels.MODE_LABELS, case.mode),
        "state": case.state,
        "state_label": labels.label(labels.STATE_LABELS, case.state),
        "whistle": labels.label(labels.WHISTLE_LABELS, case.whistle_kind),
        "source": labels.label(labels.SOURCE_LABELS, case.source),
        "created": timezone.localtime(case.created_at).strftime("%Y-%m-%d %H:%M"),
        "deadline": timezone.localtime(case.deadline).strftime("%Y-%m-%d %H:%M") if case.deadline else "挂起",
        "time_left": time_left(case, now),
        "overdue": bool(overdue),
        "escalated": case.escalated_at is not None,
        "to_confirm": case.to_confirm,
        "lon": round(case.location.x, 6),
        "lat": round(case.location.y, 6),
        "url": f"/cases/{case.pk}/",
    }


EXPORT_COLUMNS = [("number", "案件编号"), ("item", "事项"), ("place", "地点"), ("team", "承办队伍"),
                  ("subject", "执法主体"), ("mode", "办理方式"), ("state_label", "状态"), ("whistle", "吹哨类型"),
                  ("source", "来源"), ("created", "上报时间"), ("deadline", "办理时限"), ("time_left", "剩余时间"),
                  ("overdue", "超期"), ("escalated", "督办"), ("lon", "经度(WGS84)"), ("lat", "纬度(WGS84)")]


def export_values(r: dict) -> list:
    """One export row; text a spreadsheet would run as a formula is escaped (the kit's rule)."""
    return [safe_cell(("是" if r[k] else "否") if k in ("overdue", "escalated") else r[k])
            for k, _ in EXPORT_COLUMNS]
