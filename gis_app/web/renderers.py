"""One set of output formats: orjson JSON, GeoJSON, CSV and XLSX.

JSON is written by orjson (a 10,000-point router batch answer is ~15 MB: the standard
library encoder takes ~0.35 s, orjson ~0.05 s) with DRF's encoder for what orjson does not
write natively, so dates, decimals and lazy texts read exactly as before.
Tables (CSV, XLSX) come from a `Table` the view hands over: a header and rows of dicts. CSV
starts with a UTF-8 BOM (Excel then opens Chinese text right) and cells that a spreadsheet
would run as a formula (starting with = + - @ or a tab/CR) are prefixed with a quote.
Errors always go out as JSON whatever format was asked (`JSONErrorsMixin`).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import orjson
from django.http import HttpResponse
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.utils.encoders import JSONEncoder

_encoder = JSONEncoder()
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def _default(value):
    return _encoder.default(value)


def dumps(data) -> bytes:
    """JSON bytes as DRF's JSONRenderer writes them (UTF-8, compact), by orjson."""
    return orjson.dumps(data, default=_default, option=_OPTIONS)


def json_response(data, status: int = 200) -> HttpResponse:
    """`data` as the JSON answer ORJSONRenderer writes (same bytes, same Content-Type), for
    JSON-only views' answers: a DRF `Response` is a template response rendered after the view
    (renderer context, content type worked out again), ~20 us that a JSON-only hot path such
    as the single route does not need. Errors still go through DRF's exception handler."""
    return HttpResponse(dumps(data), content_type=ORJSONRenderer.media_type, status=status)


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return b"" if data is None else dumps(data)


class GeoJSONRenderer(ORJSONRenderer):
    """The same JSON, announced as GeoJSON (`format=geojson`)."""

    media_type = "application/geo+json"
    format = "geojson"


class ORJSONParser(BaseParser):
    """JSON request bodies by orjson (a 10,000-point batch body is ~0.7 MB)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return orjson.loads(stream.read() if stream is not None else b"")
        except orjson.JSONDecodeError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None


class JSONOnly(BaseContentNegotiation):
    """For endpoints that answer JSON whatever the Accept header says (one renderer): DRF's
    negotiation would parse the header and match media types on every request for nothing."""

    def select_parser(self, request, parsers):
        return DefaultContentNegotiation().select_parser(request, parsers)

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


# --- tables ----------------------------------------------------------------------------------

@dataclass
class Table:
    """Rows for CSV/XLSX output: `header` names the columns in order, `rows` are dicts."""

    header: list[str]
    rows: list[dict]
    title: str = "data"
    extra: dict = field(default_factory=dict)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell a spreadsheet shows as text: a leading = + - @ tab or CR gets a `'` in front
    (CSV injection); numbers, booleans and empty cells stay as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cell_text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(safe_cell(value)) if isinstance(value, str) else str(value)


def _table(data) -> Table | None:
    if isinstance(data, Table):
        return data
    return None


class CSVRenderer(BaseRenderer):
    """`format=csv`: the view's `Table` as CSV, BOM first, formula cells escaped."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        table = _table(data)
        if table is None:  # not a table (an error that slipped past JSONErrorsMixin): JSON
            return dumps(data)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(table.header)
        for row in table.rows:
            writer.writerow([_cell_text(row.get(name)) for name in table.header])
        return ("\ufeff" + out.getvalue()).encode("utf-8")


XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_download(book, filename: str) -> HttpResponse:
    """An openpyxl workbook as a file to download named `filename` (the pages' XLSX exports;
    the API's go through XLSXRenderer)."""
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class XLSXRenderer(BaseRenderer):
    """`format=xlsx`: the view's `Table` as an Excel workbook, one sheet, formula cells escaped."""

    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        from openpyxl import Workbook

        table = _table(data)
        if table is None:
            return dumps(data)
        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=table.title[:31] or "data")
        sheet.append(table.header)
        for row in table.rows:
            sheet.append([_xlsx_cell(row.get(name)) for name in table.header])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def _xlsx_cell(value):
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return safe_cell(str(value))


class JSONErrorsMixin:
    """For views with several output formats: `?format=` naming a format the view lacks is a
    400 naming `format` (DRF would answer 404), and errors always go out as JSON."""

    def perform_content_negotiation(self, request, force=False):
        from django.http import Http404

        from gis_app.web.errors import BadParameter

        try:
            return super().perform_content_negotiation(request, force)
        except (Http404, exceptions.NotFound):
            formats = ", ".join(r.format for r in self.get_renderers())
            raise BadParameter("format", f"{request.query_params.get('format')!r} is not one of: "
                                         f"{formats}") from None

    def handle_exception(self, exc):
        self.request.accepted_renderer = ORJSONRenderer()
        self.request.accepted_media_type = ORJSONRenderer.media_type
        return super().handle_exception(exc)

    def output_format(self) -> str:
        return getattr(self.request.accepted_renderer, "format", "json")
