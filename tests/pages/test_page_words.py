"""The pages' scripts name modes, zones and levels with the domain's own words, handed to them
in the page (json_script), never a copy of their own."""
import json
import re
from pathlib import Path

import pytest

from boundaries.models import ProtectedArea
from gis_app.enforcement.answer_text import MODES
from tests.pages.world import build_pages_world, logged_in

STATIC = Path(__file__).resolve().parents[2] / "gis_app" / "pages" / "static"


@pytest.fixture
def world(db):
    return build_pages_world()


def _script(html: str, element_id: str):
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.DOTALL)
    assert found, element_id
    return json.loads(found.group(1))


@pytest.mark.parametrize("role, path", [("command", "/intake/"), ("grid", "/field/report/"),
                                        ("command", "/footprint/")])
def test_a_page_that_shows_modes_gets_the_routers_words(world, role, path):
    response = logged_in(world, role).get(path)
    assert response.status_code == 200
    assert _script(response.content.decode(), "mode-labels") == MODES


def test_the_footprint_page_gets_the_protected_areas_words(world):
    words = _script(logged_in(world, "command").get("/footprint/").content.decode(), "area-words")
    assert words == {"zone": dict(ProtectedArea.Zone.choices), "level": dict(ProtectedArea.Level.choices)}


@pytest.mark.parametrize("script", ["pages/intake.js", "field/report.js", "pages/footprint.js"])
def test_no_page_script_writes_its_own_mode_or_zone_words(script):
    text = (STATIC / script).read_text(encoding="utf-8")
    for word in [*MODES.values(), *dict(ProtectedArea.Zone.choices).values()]:
        assert f'"{word}"' not in text, word
