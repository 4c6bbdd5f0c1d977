"""The shell every page shares: `/` sends each role home, one Chinese login page, a header that
shows who is logged in and the links of their role, logout; API docs served from this server."""
import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from gis_app.pages import nav
from tests.territory import make_territory
from tests.users import make_user

HOMES = {"command": "/workspace/", "grid": "/field/report/", "team": "/field/inbox/",
         "department": "/workspace/", "planner": "/planner/", "admin": "/workspace/"}


@pytest.fixture
def users(db):
    t = make_territory()
    t1 = t.townships[0]
    return {
        "command": make_user("command", "command_centre", t.county),
        "grid": make_user("grid", "grid_member", t.county),
        "team": make_user("team", "township_team", t.county, team=t.teams[t1.code]),
        "department": make_user("department", "department", t.county, department=t.departments["SCJG"]),
        "planner": make_user("planner", "planner", t.county),
        "admin": make_user("admin", superuser=True),
        "nobody": make_user("nobody"),
    }


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_anonymous_visitor_at_root_is_sent_to_login(db):
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"] == "/login/"


def test_login_page_is_chinese(db):
    html = Client().get("/login/").content.decode()
    assert "<html lang=\"zh-CN\">" in html and "用户名" in html and "密码" in html and "登录" in html


@pytest.mark.parametrize("role", sorted(HOMES))
def test_root_sends_each_role_to_its_home(users, role):
    response = _client(users[role]).get("/")
    assert response.status_code == 302 and response["Location"] == HOMES[role]


def test_account_without_role_is_told_so_at_root(users):
    response = _client(users["nobody"]).get("/")
    assert response.status_code == 403 and "尚未分配角色" in response.content.decode()


def test_login_lands_on_the_role_home(users):
    client = Client()
    response = client.post("/login/", {"username": "grid", "password": "pw"})
    assert response.status_code == 302 and response["Location"] == "/field/report/"


def test_login_follows_a_local_next_but_not_an_outside_one(users):
    inside = Client().post("/login/", {"username": "command", "password": "pw", "next": "/map/"})
    assert inside["Location"] == "/map/"
    outside = Client().post("/login/", {"username": "command", "password": "pw", "next": "https://evil.example/"})
    assert outside["Location"] == "/workspace/"


def test_wrong_password_says_so_in_chinese(users):
    response = Client().post("/login/", {"username": "command", "password": "wrong"})
    assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()


def test_old_map_login_address_still_logs_in(users):
    response = Client().post("/map/login/", {"username": "planner", "password": "pw", "next": "/map/coverage/"})
    assert response.status_code == 302 and response["Location"] == "/map/coverage/"


def test_logout_ends_the_session(users):
    client = _client(users["command"])
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/")["Location"] == "/login/"


def _shell_html(user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("pages/base.html", request=request)


def test_header_shows_who_is_logged_in_and_a_logout_button(users):
    html = _shell_html(users["command"])
    assert 'id="shell-who"' in html and "command · 指挥中心" in html and 'action="/logout/"' in html


def test_header_of_anonymous_visitor_has_no_links_and_no_logout(db):
    from django.contrib.auth.models import AnonymousUser

    html = _shell_html(AnonymousUser())
    assert "shell-who" not in html and "/logout/" not in html


def test_unknown_address_is_a_chinese_404(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


@pytest.mark.parametrize("role, shown, hidden", [
    ("command", ["/map/", "/map/coverage/", "/api/docs/"], ["/admin/"]),
    ("grid", [], ["/map/coverage/", "/api/docs/", "/admin/"]),
    ("team", ["/map/", "/map/coverage/"], ["/api/docs/", "/admin/"]),
    ("planner", ["/map/coverage/"], ["/admin/"]),
    ("admin", ["/admin/", "/map/"], []),
])
def test_header_links_follow_the_role(users, role, shown, hidden):
    urls = [e["url"] for e in nav.entries_for(users[role])]
    assert all(u in urls for u in shown), urls
    assert not any(u in urls for u in hidden), urls


def test_nav_entry_for_a_page_not_built_yet_is_left_out(users):
    entry = nav.register(nav.NavEntry("未来页面", "no-such-url-name", {"command_centre"}))
    try:
        assert "未来页面" not in [e["label"] for e in nav.entries_for(users["command"])]
    finally:
        nav._ENTRIES.pop(entry.url_name)


def test_nav_entry_with_unknown_role_is_refused():
    with pytest.raises(ValueError, match="unknown roles"):
        nav.NavEntry("x", "pages-home", {"mayor"})


def test_admin_view_site_link_lands_on_root(users):
    html = _client(users["admin"]).get("/admin/").content.decode()
    assert 'href="/"' in html


def test_api_docs_and_redoc_load_their_assets_from_this_server(users):
    client = _client(users["command"])
    for path in ("/api/docs/", "/api/redoc/"):
        html = client.get(path).content.decode()
        assert "/static/drf_spectacular_sidecar/" in html, path
        assert "cdn" not in html.lower() and "googleapis" not in html, path
