"""The case queue (指挥中心工作台): filters, counts per filter, pages, rows, exports.

One reading of the request's filters serves the page, the rows fragment that refreshes
itself, the map's markers and the CSV/XLSX exports, so they always show the same cases.
Whose cases a user sees and what "overdue" means are the incidents app's rules
(`Case.objects.visible_to`, `.with_overdue`); this module only narrows and counts.

Sorted by deadline (soonest first; finished cases after open ones), then number, so a page
is stable while cases come in. Pages are numbered and counted on the server, so 100,000
cases cost one page of rows plus a few grouped counts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from django.conf import settings
from django.db.models import Case as When_, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.dateparse import parse_date

from boundaries.models import Village
from gis_app.enforcement.models import CatalogItem
from gis_app.incidents.models import OPEN_STATES, Case, State
from gis_app.pages import labels

FACETS = ("state", "township", "team", "item", "whistle_kind", "source")
MAX_TEXT = 100


class QueueError(ValueError):
    """A filter the queue cannot read: names the parameter, in Chinese."""

    def __init__(self, parameter: str, detail: str):
        super().__init__(detail)
        self.parameter, self.detail = parameter, detail


@dataclass
class Filters:
    state: list[str] = field(default_factory=list)
    overdue: bool = False
    escalated: bool = False
    to_confirm: bool = False      # near a border, waiting for the command centre (confirmation.py)
    township: str = ""
    team: str = ""
    item: str = ""
    whistle_kind: str = ""
    source: str = ""
    start: datetime | None = None
    end: datetime | None = None
    q: str = ""
    page: int = 1
    # The ids of items and villages whose names hold `q` (read once, see _text_match).
    _text_ids: tuple | None = field(default=None, repr=False, compare=False)

    def query(self, **changes) -> dict:
        """The filters as GET parameters (for links, the export and the refresh)."""
        out = {}
        if self.state:
            out["state"] = ",".join(self.state)
        for name in ("township", "team", "item", "whistle_kind", "source", "q"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.overdue:
            out["overdue"] = "1"
        if self.escalated:
            out["escalated"] = "1"
        if self.to_confirm:
            out["to_confirm"] = "1"
        if self.start:
            out["from"] = timezone.localtime(self.start).strftime("%Y-%m-%d")
        if self.end:
            out["to"] = timezone.localtime(self.end).strftime("%Y-%m-%d")
        if self.page > 1:
            out["page"] = str(self.page)
        out.update({k: v for k, v in changes.items() if v is not None})
        return {k: v for k, v in out.items() if v not in ("", None)}


def _one(params, name: str) -> str:
    values = params.getlist(name)
    if len(values) > 1:
        raise QueueError(name, f"{name} 只能给一次")
    value = (values[0] if values else "").strip()
    if len(value) > MAX_TEXT:
        raise QueueError(name, f"{name} 超过 {MAX_TEXT} 个字符")
    return value


def _flag(params, name: str) -> bool:
    value = _one(params, name)
    if value not in ("", "0", "1", "true", "false", "on"):
        raise QueueError(name, f"{name} 只能是 1 或 0")
    return value in ("1", "true", "on")


def _day(params, name: str, end: bool) -> datetime | None:
    value = _one(params, name)
    if not value:
        return None
    day = None
    try:
        day = parse_date(value)
    except ValueError:
        pass
    if day is None:
        raise QueueError(name, f"{name} 不是日期（例如 2026-12-01）：{value}")
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def parse_filters(params) -> Filters:
    """GET parameters -> Filters; QueueError (shown on the page as 400) when one is unreadable."""
    states = [s for s in (_one(params, "state") or "").split(",") if s]
    unknown = [s for s in states if s not in State.values]
    if unknown:
        raise QueueError("state", f"没有这个状态：{unknown[0]}")
    whistle = _one(params, "whistle_kind")
    if whistle and whistle not in labels.WHISTLE_LABELS:
        raise QueueError("whistle_kind", f"没有这种吹哨类型：{whistle}")
    source = _one(params, "source")
    if source and source not in labels.SOURCE_LABELS:
        raise QueueError("source", f"没有这个来源：{source}")
    page = _one(params, "page") or "1"
    if not page.isdigit() or int(page) < 1:
        raise QueueError("page", f"页码须为正整数：{page}")
    start, end = _day(params, "from", end=False), _day(params, "to", end=True)
    if start and end and start > end:
        raise QueueError("from", "开始日期晚于结束日期")
    return Filters(state=states, overdue=_flag(params, "overdue"), escalated=_flag(params, "escalated"),
                   to_confirm=_flag(params, "to_confirm"),
                   township=_one(params, "township"), team=_one(params, "team"), item=_one(params, "item"),
                   whistle_kind=whistle, source=source, start=start, end=end, q=_one(params, "q"),
                   page=int(page))


def base_cases(user, now=None) -> QuerySet[Case]:
    """The user's cases with `overdue` annotated (the incidents app's rules)."""
    return Case.objects.visible_to(user).with_overdue(now)


def _narrow(cases: QuerySet[Case], f: Filters, skip: str | None = None) -> QuerySet[Case]:
    """Apply every filter except `skip` (a facet is counted without its own choice)."""
    if f.state and skip != "state":
        cases = cases.filter(state__in=f.state)
    if f.overdue and skip != "overdue":
        cases = cases.filter(overdue=True)
    if f.escalated and skip != "escalated":
        cases = cases.filter(escalated_at__isnull=False)
    if f.to_confirm and skip != "to_confirm":
        cases = cases.filter(to_confirm=True)
    for name, lookup in (("township", "township__code"), ("team", "team__code"), ("item", "item__code"),
                         ("whistle_kind", "whistle_kind"), ("source", "source")):
        value = getattr(f, name)
        if value and skip != name:
            cases = cases.filter(**{lookup: value})
    if f.start:
        cases = cases.filter(created_at__gte=f.start)
    if f.end:
        cases = cases.filter(created_at__lte=f.end)
    if f.q:
        cases = cases.filter(_text_match(f))
    return cases


def _text_match(f: Filters) -> Q:
    """Free text: the case's number or description (trigram indexes on the case table), or
    the name of its item or village. The few items and villages named are looked up first,
    once per request, so that every arm of the OR is an index on the case table (an OR across
    joined tables made PostgreSQL read every visible case)."""
    if f._text_ids is None:
        f._text_ids = (list(CatalogItem.objects.filter(name__icontains=f.q).values_list("pk", flat=True)),
                       list(Village.objects.filter(name__icontains=f.q).values_list("pk", flat=True)))
    items, villages = f._text_ids
    return (Q(number__icontains=f.q) | Q(description__icontains=f.q)
            | Q(item_id__in=items) | Q(village_id__in=villages))


def ordered(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Open cases first by deadline, then finished ones (most recent deadline first)."""
    is_open = When_(When(state__in=OPEN_STATES, then=Value(0)), default=Value(1), output_field=IntegerField())
    return cases.annotate(done=is_open).order_by("done", "deadline", "number")


# What a row never shows: the router's whole answer and the point as received are kilobytes of
# JSON per case, which would otherwise be read, sorted and decoded for every case listed.
# Nor the boundaries of its township, village and grid (multipolygons joined for their names).
LIST_DEFERRED = ("routing", "received", "description", "township__geom", "village__geom", "grid__geom",
                 "team__base")


def filtered(user, f: Filters, now=None) -> QuerySet[Case]:
    return ordered(_narrow(base_cases(user, now), f)).select_related(
        "item", "township", "village", "grid", "team").defer(*LIST_DEFERRED)


@dataclass
class Page:
    rows: list
    number: int
    pages: int
    total: int
    size: int

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.number * self.size, self.total)


def page_of(cases: QuerySet[Case], number: int, size: int | None = None) -> Page:
    """One page of rows; a page past the end shows the last page. The page's ids are found
    first on the narrow sort columns, then only those rows are read whole."""
    size = size or settings.PAGES_QUEUE_PAGE_SIZE
    total = cases.count()
    pages = max(1, -(-total // size))
    number = min(number, pages)
    ids = list(cases.values_list("pk", flat=True)[(number - 1) * size:number * size])
    found = {c.pk: c for c in cases.filter(pk__in=ids)}
    rows = [found[pk] for pk in ids if pk in found]
    return Page(rows=rows, number=number, pages=pages, total=total, size=size)


FACET_FIELDS = {"township": ("township_id", "boundaries", "Township"), "team": ("team_id", "enforcement", "Team"),
                "item": ("item_id", "enforcement", "CatalogItem"), "state": ("state", None, None),
                "whistle_kind": ("whistle_kind", None, None), "source": ("source", None, None)}


def facet_counts(user, f: Filters, now=None) -> dict:
    """Per filter, how many cases each choice would show given the other filters. Grouped on
    the case's own columns; the few units' codes and names are read afterwards."""
    from django.apps import apps

    base = base_cases(user, now)
    word = {"state": labels.STATE_LABELS, "whistle_kind": labels.WHISTLE_LABELS, "source": labels.SOURCE_LABELS}
    out = {}
    for facet in FACETS:
        column, app, model = FACET_FIELDS[facet]
        counts = dict(_narrow(base, f, skip=facet).order_by().values_list(column).annotate(n=Count("pk")))
        counts.pop(None, None)
        if model is None:
            out[facet] = [{"value": v, "label": labels.label(word[facet], v), "count": n}
                          for v, n in sorted(counts.items())]
        else:
            units = apps.get_model(app, model).objects.filter(pk__in=counts).values_list("pk", "code", "name")
            out[facet] = sorted(({"value": code, "label": name, "count": counts[pk]} for pk, code, name in units),
                                key=lambda r: r["value"])
    out["overdue"] = _narrow(base, f, skip="overdue").filter(overdue=True).count()
    out["escalated"] = _narrow(base, f, skip="escalated").filter(escalated_at__isnull=False).count()
    out["to_confirm"] = _narrow(base, f, skip="to_confirm").filter(to_confirm=True).count()
    return out
