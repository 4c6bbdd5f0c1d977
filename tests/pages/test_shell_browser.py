"""The shell in a real browser: log in from `/` on a phone and on a wall screen, the header's
menu, the API docs drawing with nothing loaded from outside the server, the admin in Chinese."""
import pytest

from tests.territory import make_territory
from tests.users import make_user


@pytest.fixture
def people(transactional_db):
    t = make_territory()
    return {"command": make_user("command", "command_centre", t.county),
            "planner": make_user("planner", "planner", t.county), "root": make_user("root", superuser=True)}


@pytest.mark.parametrize("size", ["phone", "screen"])
def test_login_from_root_shows_who_is_logged_in(people, open_page, login, shot, size):
    page = open_page(size)
    page.goto("/")
    assert page.url.endswith("/login/")
    shot(page, f"login-{size}")
    page.fill("#id_username", "command")
    page.fill("#id_password", "pw")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url.endswith("/workspace/")
    assert page.locator("#shell-who").inner_text() == "command · 指挥中心"
    shot(page, f"home-{size}")


def test_header_menu_folds_on_a_phone_and_logout_works(people, open_page, login, shot):
    page = open_page("phone")
    login(page, "command")
    assert page.locator("#shell-who").inner_text() == "command · 指挥中心"
    assert not page.locator(".shell-nav").is_visible()
    page.click(".shell-menu-button")
    assert page.locator(".shell-nav a", has_text="接口文档").is_visible()
    shot(page, "menu-open-phone")
    with page.expect_navigation():
        page.click(".shell-logout button")
    assert page.url.endswith("/login/")


@pytest.mark.parametrize("path, drawn", [("/api/docs/", ".swagger-ui .info"), ("/api/redoc/", "[role=search], .api-info")])
def test_api_docs_draw_with_nothing_from_outside(people, open_page, login, shot, path, drawn):
    page = open_page("desktop")
    login(page, "command", next=path)
    page.wait_for_selector(drawn)
    shot(page, path.strip("/").replace("/", "-"), full_page=False)


def test_the_admin_names_the_organisation_in_chinese(people, open_page, login, shot):
    """The admin's index read "Django 管理", ENFORCEMENT, Departments, Teams, Catalog items,
    Authorities and Members: the project's own headings were never given Chinese names."""
    page = open_page("desktop")
    login(page, "root")
    page.goto("/admin/")
    text = page.inner_text("body")
    assert "网格化执法指挥平台" in page.inner_text("#site-name")
    for heading in ("执法组织与事项", "部门", "执法队伍", "执法事项", "乡镇执法权限", "人员"):
        assert heading in text, heading
    for english in ("Django", "Enforcement", "Departments", "Teams", "Catalog items", "Authorities", "Members"):
        assert english.lower() not in text.lower(), english
    shot(page, "admin-index")
