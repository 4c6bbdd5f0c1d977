"""The footprint page in a browser: the officer draws a footprint across the reserve's core and
buffer, reads the zones in hectares and the departments to tell, and opens a case that keeps
the footprint; nothing leaves 127.0.0.1 and the console stays clean (conftest guards)."""
import pytest
from django.test import Client

from gis_app.enforcement.answer_text import MODES
from gis_app.incidents.models import Case
from tests.pages.world import build_pages_world, map_pixel

SHOTS = "/tmp/shots/14"
# Across the home reserve's core (x 120.005-120.015) into its buffer, in township 1.
RING = [(120.010, 30.007), (120.020, 30.007), (120.020, 30.012), (120.010, 30.012)]


@pytest.fixture
def world(transactional_db):
    return build_pages_world()


def draw_polygon(page, ring):
    page.click(".leaflet-pm-icon-polygon")
    for lon, lat in ring:
        page.mouse.click(*map_pixel(page, lon, lat))
    page.mouse.click(*map_pixel(page, *ring[0]))


def test_officer_draws_a_footprint_reads_zones_and_opens_a_case(world, open_page, login, shot):
    page = open_page("desktop")
    login(page, "command", next="/footprint/")
    page.wait_for_function("window.pageMap && window.pageMap.getZoom() > 10")
    page.evaluate("window.pageMap.setView([30.0095, 120.015], 15)")
    page.select_option("#fp-item", "I001")
    draw_polygon(page, RING)
    page.wait_for_selector("#fp-zones tbody tr[data-zone=core]")
    zones = page.locator("#fp-zones tbody tr").all_inner_texts()
    assert any("核心区" in z for z in zones) and any("缓冲区" in z for z in zones)
    assert any("省级" in z or "国家级" in z or "市级" in z or "县级" in z for z in zones)   # level words from the page
    assert any(f"方式：{word}；" in page.inner_text("#fp-decision") for word in MODES.values())
    assert "公顷" in page.inner_text("#fp-summary")
    assert "高" in page.inner_text("#fp-severity")
    assert "ZYGH" in page.inner_text("#fp-departments") or "资源" in page.inner_text("#fp-departments")
    shot(page, "footprint-checked")
    page.fill("#fp-description", "未批先建养殖场，占用保护区")
    page.click("#fp-create")
    page.wait_for_selector("#fp-created a")
    case = Case.objects.get(description="未批先建养殖场，占用保护区")
    assert case.footprint is not None and case.severity == "high"
    assert page.get_attribute("#fp-created a", "href") == f"/cases/{case.pk}/"
    page.screenshot(path=f"{SHOTS}/footprint-case-created.png", full_page=True)


def test_footprint_page_is_for_officers_and_the_command_centre(world):
    for role, status in (("command", 200), ("department", 200), ("planner", 403), ("grid", 403)):
        client = Client()
        client.force_login(world.users[role])
        assert client.get("/footprint/").status_code == status, role
