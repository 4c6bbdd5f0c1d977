"""Every map the pages draw shows a metric scale only: the command centre's /map/ (folium),
the desk's queue map, the wall screen's map and the grid member's report map on a phone
said miles and feet beside kilometres (or had no scale at all)."""
import re

import pytest

from tests.pages.world import build_pages_world

METRIC = re.compile(r"^\d+ (m|km)$")


@pytest.fixture
def world(transactional_db):
    return build_pages_world()


# (who, page, size, what says the page's map is drawn)
MAPS = [
    ("command", "/map/", "desktop", "window.LayersPage && window.LayersPage.ready"),
    ("command", "/workspace/", "desktop", "document.querySelector('#queue-map.leaflet-container')"),
    ("command", "/screen/", "screen", "document.getElementById('screen').dataset.loaded === '1'"),
    ("grid", "/field/report/", "phone", "document.body.dataset.ready === '1'"),
]


@pytest.mark.parametrize("username, path, size, drawn", MAPS, ids=[m[1] for m in MAPS])
def test_the_map_scale_is_metric_only(world, open_page, login, shot, username, path, size, drawn):
    page = open_page(size)
    login(page, username, next=path)
    page.wait_for_function(drawn)
    lines = page.locator(".leaflet-control-scale-line").all_inner_texts()
    assert len(lines) == 1 and METRIC.match(lines[0].strip()), lines
    text = page.inner_text(".leaflet-control-scale")
    assert not re.search(r"\b(mi|ft)\b", text), text
    shot(page, "scale" + path.replace("/", "-").rstrip("-"), full_page=False)
