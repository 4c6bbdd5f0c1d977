"""指挥中心工作台 (/workspace/): the case queue, list and map in step, and its exports.

- `/workspace/`: the page (filters with counts, one page of cases, the map);
- `/workspace/rows/`: the same filters' rows, counts and pager as an HTML fragment, which the
  page fetches when a filter changes and every PAGES_QUEUE_REFRESH_SECONDS (keeping the page,
  the selection and the scroll position);
- `/workspace/export.csv`, `/workspace/export.xlsx`: every case of the filtered list (up to
  PAGES_EXPORT_MAX_ROWS), in the list's order and words.
"""
from __future__ import annotations

import csv
from functools import wraps

from django.conf import settings
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from openpyxl import Workbook

from gis_app.pages import labels, queue
from gis_app.pages.access import page_for
from gis_app.pages.rows import EXPORT_COLUMNS, export_values, row
from gis_app.web.renderers import workbook_download

FACET_WORDS = {"state": ("状态", "全部状态"), "township": ("乡镇", "全部乡镇"), "team": ("承办队伍", "全部队伍"),
               "item": ("事项", "全部事项"), "whistle_kind": ("吹哨类型", "全部哨型"), "source": ("来源", "全部来源")}


def _facets(f: queue.Filters, counts: dict) -> list[dict]:
    """The select boxes: each choice with its count and whether it is the current filter."""
    out = []
    for name in queue.FACETS:
        current = f.state if name == "state" else [getattr(f, name)]
        label, everything = FACET_WORDS[name]
        out.append({"name": name, "label": label, "all": everything,
                    "options": [{**c, "selected": len(current) == 1 and c["value"] == current[0]}
                                for c in counts[name]]})
    return out


def _context(request):
    now = timezone.now()
    f = queue.parse_filters(request.GET)
    cases = queue.filtered(request.user, f, now)
    page = queue.page_of(cases, f.page)
    f.page = page.number
    counts = queue.facet_counts(request.user, f, now)
    return {
        "filters": f, "page": page, "rows": [row(c, now) for c in page.rows],
        "counts": counts, "facets": _facets(f, counts),
        "query": f.query(), "now": timezone.localtime(now),
        "refresh_seconds": settings.PAGES_QUEUE_REFRESH_SECONDS,
        "state_labels": labels.STATE_LABELS,
    }


def _refused(request, exc: queue.QueueError, template: str):
    return render(request, template, {"error": exc.detail, "parameter": exc.parameter}, status=400)


@page_for("case_desk")
def workspace(request):
    try:
        context = _context(request)
    except queue.QueueError as exc:
        return _refused(request, exc, "pages/workspace_error.html")
    return render(request, "pages/workspace.html", {**context, "title": "指挥中心工作台"})


@page_for("case_desk")
def workspace_rows(request):
    try:
        context = _context(request)
    except queue.QueueError as exc:
        return _refused(request, exc, "pages/workspace_error_fragment.html")
    return render(request, "pages/workspace_rows.html", context)


def _export_rows(request):
    now = timezone.now()
    f = queue.parse_filters(request.GET)
    cases = queue.filtered(request.user, f, now)[:settings.PAGES_EXPORT_MAX_ROWS]
    for case in cases.iterator(chunk_size=2000):
        yield export_values(row(case, now))


def _filename(ext: str) -> str:
    return f"cases-{timezone.localtime():%Y%m%d-%H%M}.{ext}"


class _Echo:
    def write(self, value):
        return value


def _export(view):
    """An export of the filtered list, its filters checked before a byte is written (a bad one:
    the page naming it, 400): the CSV streams its rows, too late then to refuse."""
    @wraps(view)
    def checked(request):
        try:
            queue.parse_filters(request.GET)
        except queue.QueueError as exc:
            return _refused(request, exc, "pages/workspace_error.html")
        return view(request)
    return checked


@page_for("case_desk")
@_export
def export_csv(request):
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([title for _, title in EXPORT_COLUMNS])  # BOM: Excel reads UTF-8
        for values in _export_rows(request):
            yield writer.writerow(values)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


@page_for("case_desk")
@_export
def export_xlsx(request):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("案件")
    sheet.append([title for _, title in EXPORT_COLUMNS])
    for values in _export_rows(request):
        sheet.append(values)
    return workbook_download(book, _filename("xlsx"))
