"""Map pages without a browser: who may open which page, credentials, and that the HTML names
nothing outside this server (every asset under /static/)."""
import re

import pytest
from django.test import Client

from layers import pages
from tests.users import token_for

pytestmark = pytest.mark.django_db

PAGES = ["/map/", "/map/protected-areas/", "/map/coverage/"]
URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


def _open(world, role, path, **params):
    client = Client()
    if role:
        client.force_login(world.users[role])
    return client.get(path, params)


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitor_is_sent_to_login(world, path):
    response = _open(world, None, path)
    assert response.status_code == 302 and response["Location"] == f"/login/?next={path}"


@pytest.mark.parametrize("role", ["grid", "team", "department", "command", "planner"])
@pytest.mark.parametrize("path", ["/map/", "/map/protected-areas/"])
def test_every_role_opens_the_command_and_protected_area_maps(world, role, path):
    assert _open(world, role, path).status_code == 200


@pytest.mark.parametrize("role, status", [("grid", 403), ("team", 200), ("department", 200),
                                          ("command", 200), ("planner", 200)])
def test_coverage_map_is_for_patrol_readers(world, role, status):
    assert _open(world, role, "/map/coverage/").status_code == status


@pytest.mark.parametrize("path", PAGES)
def test_account_without_county_is_refused(world, path):
    response = _open(world, "nobody", path)
    assert response.status_code == 403 and "membership" in response.content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_assets_only_from_this_server(world, path):
    html = _open(world, "command", path).content.decode()
    assert not re.search(r"https?://(?!www\.w3\.org)", html), re.findall(r"https?://\S+", html)
    assets = URL.findall(html)
    assert assets and all(a.startswith("/") for a in assets), assets
    assert "/static/vendor/leaflet/leaflet.js" in assets
    assert "/static/vendor/vectorgrid/Leaflet.VectorGrid.bundled.min.js" in assets


def test_every_vendored_asset_is_served(world, settings):
    settings.WHITENOISE_USE_FINDERS = True  # as after `collectstatic` (make demo), without a build
    client = Client()
    html = _open(world, "command", "/map/").content.decode()
    for asset in URL.findall(html):
        if asset.startswith("/static/"):
            response = client.get(asset)
            assert response.status_code == 200, asset


def test_page_draws_layers_from_our_tiles(world):
    html = _open(world, "command", "/map/").content.decode()
    for layer in ("townships", "teams", "cases", "live-positions", "hubs"):
        assert f"/tiles/{layer}/{{z}}/{{x}}/{{y}}.pbf" in html, layer
    assert "地图 · 案件与队伍" in html


def test_grid_member_command_map_has_no_patrol_layers(world):
    html = _open(world, "grid", "/map/").content.decode()
    assert "/tiles/cases/" in html and "/tiles/live-positions/" not in html


def test_page_opened_with_a_token_in_the_url_is_refused_and_does_not_echo_it(world):
    token = token_for(world.users["command"])
    response = Client().get("/map/", {"token": token})
    assert response.status_code == 400 and token not in response.content.decode()


def test_page_without_a_session_is_sent_to_login_even_with_a_header_token(world):
    token = token_for(world.users["command"])
    response = Client().get("/map/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/map/", "/map/protected-areas/", "/map/coverage/"])
def test_page_html_contains_no_token(world, path):
    token = token_for(world.users["command"])
    html = _open(world, "command", path).content.decode()
    assert token not in html and "token=" not in html and '"token"' not in html


def test_command_map_counts_open_and_overdue_cases(world):
    html = _open(world, "command", "/map/").content.decode()
    assert '<b id="open-count">3</b>' in html and '<b id="overdue-count">1</b>' in html


def test_coverage_map_counts_patrolled_grids_for_the_period(world):
    html = _open(world, "planner", "/map/coverage/", **{"from": "2026-05-04"}).content.decode()
    assert '<b id="patrolled-count">3</b> / 64' in html
    assert "/tiles/coverage/{z}/{x}/{y}.pbf?from=2026-05-04" in html


def test_coverage_map_with_a_bad_date_is_400(world):
    response = _open(world, "planner", "/map/coverage/", **{"from": "May 4th"})
    assert response.status_code == 400 and "from" in response.content.decode()


def test_protected_area_map_shows_only_cases_inside_zones(world):
    html = _open(world, "command", "/map/protected-areas/").content.decode()
    assert "/tiles/cases/{z}/{x}/{y}.pbf?protected-area=any" in html


def test_basemap_is_drawn_only_when_configured(world, settings):
    assert "L.tileLayer" not in _open(world, "command", "/map/").content.decode()
    settings.MAP_BASEMAP_URL = "/basemap/{z}/{x}/{y}.png"
    html = _open(world, "command", "/map/").content.decode()
    assert "/basemap/{z}/{x}/{y}.png" in html


def test_login_page_lets_any_role_in(world):
    client = Client()
    response = client.post("/map/login/", {"username": "planner", "password": "pw", "next": "/map/coverage/"})
    assert response.status_code == 302 and response["Location"] == "/map/coverage/"
    assert client.get("/map/coverage/").status_code == 200


def test_pages_are_declared_from_registry_layers():
    from layers.catalogue import layers

    for spec in pages.PAGES.values():
        assert set(spec.layer_ids) <= set(layers().ids())


def _config(html: str) -> dict:
    """The page config maps.js gets (the PageGlue call's third argument)."""
    import json
    start = html.index("LayersPage.setup(")
    decoder = json.JSONDecoder()
    rest = html[start:]
    return decoder.raw_decode(rest[rest.index("{", rest.index("},") + 2):])[0]


def test_page_config_carries_each_attributes_label_type_words_and_the_countys_zone(world, settings):
    config = _config(_open(world, "command", "/map/").content.decode())
    assert config["timeZone"] == settings.TIME_ZONE == "Asia/Shanghai"
    cases = config["layers"]["cases"]["attributes"]
    assert cases["created_at"] == {"label": "上报时间", "type": "datetime", "words": {}}
    assert cases["state"]["label"] == "状态" and cases["state"]["words"]["reported"] == "已上报"
    assert cases["mode"]["words"]["whistle"] == "吹哨报到"


def test_a_planners_page_config_names_only_the_summary_attributes(world):
    cases = _config(_open(world, "planner", "/map/").content.decode())["layers"]["cases"]["attributes"]
    assert "state" in cases and "description" not in cases and "reporter" not in cases


def test_the_protected_area_page_carries_the_routers_words_for_its_popup(world):
    words = _config(_open(world, "command", "/map/protected-areas/").content.decode())["routeWords"]
    assert words["zone"]["core"] == "核心区" and words["severity"]["high"] == "高" and words["mode"]["county"] == "派驻执法"
