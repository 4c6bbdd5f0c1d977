"""复盘 in chromium: from the case page to the replay, then and today side by side with the
rows that differ marked, on a desk and on a phone."""
import pytest

from gis_app.incidents.models import Case
from tests.pages.world import build_pages_world


@pytest.fixture
def world(transactional_db):
    return build_pages_world()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_command_centre_opens_the_replay_from_the_case_page(world, open_page, login, shot, size):
    case = world.cases["far"]
    Case.objects.filter(pk=case.pk).update(routing={**case.routing, "mode": "marine"})
    page = open_page(size)
    login(page, "command", next=f"/cases/{case.pk}/")
    with page.expect_navigation():
        page.click("#replay-link")
    assert page.url.endswith(f"/cases/{case.pk}/replay/")
    marked = page.locator("table.replay tr.differs th")
    assert marked.all_inner_texts() == ["办理方式"]
    assert "今天派单会不同" in page.locator("#replay-summary").inner_text()
    assert page.locator("table.replay").bounding_box()["width"] <= page.viewport_size["width"]
    shot(page, f"replay-{size}")
