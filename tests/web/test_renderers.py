"""The kit's output formats: tables for spreadsheets are safe to open, JSON reads as DRF's."""
import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from gis_app.web.renderers import CSVRenderer, ORJSONRenderer, Table, XLSXRenderer, safe_cell

TABLE = Table(["code", "name", "count"], [{"code": "=HYPERLINK(\"x\")", "name": "第1镇", "count": 3},
                                          {"code": "+1", "name": "-2", "count": None},
                                          {"code": "@SUM(A1)", "name": "\tTab", "count": 0}])


def test_csv_starts_with_a_bom_so_excel_reads_chinese():
    body = CSVRenderer().render(TABLE)
    assert body.startswith("\ufeff".encode()) and "第1镇" in body.decode("utf-8-sig")


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted():
    lines = CSVRenderer().render(TABLE).decode("utf-8-sig").splitlines()
    assert lines[0] == "code,name,count"
    assert lines[1].startswith("\"'=HYPERLINK(\"\"x\"\")\",第1镇,3")
    assert lines[2] == "'+1,'-2,"
    assert lines[3] == "'@SUM(A1),'\tTab,0"


def test_numbers_are_not_escaped():
    assert safe_cell(-2) == -2 and safe_cell("12") == "12" and safe_cell(None) is None


def test_xlsx_holds_the_table_with_formula_cells_as_text():
    sheet = load_workbook(io.BytesIO(XLSXRenderer().render(TABLE))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["code", "name", "count"]
    assert rows[1] == ["'=HYPERLINK(\"x\")", "第1镇", 3] and rows[2] == ["'+1", "'-2", None]


def test_json_writes_dates_decimals_and_chinese_like_drf():
    moment = dt.datetime(2026, 5, 4, 8, 0, 0, 123456, tzinfo=dt.timezone.utc)
    body = ORJSONRenderer().render({"at": moment, "n": Decimal("1.50"), "name": "网格"})
    assert body == '{"at":"2026-05-04T08:00:00.123456Z","n":1.5,"name":"网格"}'.encode()


def test_a_json_response_is_what_the_renderer_writes():
    from gis_app.web.renderers import json_response

    data = {"at": dt.datetime(2026, 5, 4, 8, tzinfo=dt.timezone.utc), "n": Decimal("2"), "名": [1, None]}
    response = json_response(data, status=422)
    assert response.content == ORJSONRenderer().render(data)
    assert response["Content-Type"] == ORJSONRenderer.media_type and response.status_code == 422
