"""Shared browser fixtures for page tests: Playwright for Python driving Debian's chromium.

- `site`: the live server's base URL (pytest-django's `live_server`, on 127.0.0.1, against the
  test database; tests using it get a transactional database);
- `browser`: headless chromium from /usr/bin/chromium (never `playwright install`);
- `open_page(size="desktop", timezone="Asia/Shanghai")`: a fresh page (own cookies) at a named
  viewport: `phone` 390x844, `screen` 1920x1080, `desktop` 1280x860, its clock in `timezone`
  (the browser's own zone: pages must not depend on it). Every page opened this way is watched:
  a console error, an uncaught exception, or any request to a host other than
  127.0.0.1/localhost (which is blocked) FAILS the test that opened it;
- `login(page, username, password="pw", next=None)`: logs in through /login/ as a person would;
- `shot(page, name)`: a full-page PNG under $PAGES_SHOTS (default /tmp/shots/pages/), to look at;
- `demo`: the demo (`load_demo`: both counties, a user per role, open and closed cases) in the
  live server's database; its value is the demo users' password.

Usage:

    def test_x(site, open_page, login, shot, transactional_db):
        page = open_page("phone")
        login(page, "grid")
        shot(page, "field-report")
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
NOT_NETWORK = {"data", "blob", "about", "chrome", "chrome-extension", "devtools"}
SIZES = {"phone": (390, 844), "screen": (1920, 1080), "desktop": (1280, 860)}
SHOTS = Path(os.environ.get("PAGES_SHOTS", "/tmp/shots/pages"))
GUARDS = pytest.StashKey[list]()



class PageGuard:
    """What a page did wrong: console errors, uncaught exceptions, requests leaving the machine."""

    def __init__(self, page):
        self.page = page
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.route("**/*", self._route)

    def _console(self, msg):
        if msg.type == "error":
            where = msg.location or {}
            self.console_errors.append(f"{msg.text} ({where.get('url', '')}:{where.get('lineNumber', '')})")

    def _route(self, route):
        url = route.request.url
        parts = urlparse(url)
        if parts.scheme in NOT_NETWORK or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.outside.append(url)
            route.abort("blockedbyclient")

    def problems(self) -> list[str]:
        return ([f"console error: {e}" for e in self.console_errors]
                + [f"uncaught exception: {e}" for e in self.page_errors]
                + [f"request left 127.0.0.1: {u}" for u in self.outside])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After the test body: any watched page's problem fails the test (not just its teardown)."""
    result = yield
    problems = [p for guard in item.stash.get(GUARDS, []) for p in guard.problems()]
    if problems:
        raise AssertionError("page problems:\n" + "\n".join(problems))
    return result


@pytest.fixture
def site(live_server, transactional_db) -> str:
    """The live server's base URL on 127.0.0.1."""
    return live_server.url.replace("localhost", "127.0.0.1")


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; Django's ORM (used by the test
    # between browser steps) would otherwise refuse to run "from an async context".
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev extra (.[dev])")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (the Makefile installs it)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(request, browser, site):
    """open_page(size="desktop", timezone="Asia/Shanghai") -> a watched Playwright page with its
    own cookies, base URL = site."""
    contexts = []
    guards = request.node.stash.setdefault(GUARDS, [])

    def _open(size: str = "desktop", timezone: str = "Asia/Shanghai"):
        width, height = SIZES[size]
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=site,
                                      locale="zh-CN", timezone_id=timezone)
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        guards.append(PageGuard(page))
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def demo(transactional_db) -> str:
    """`load_demo` run on the test database; the demo users' password."""
    from django.core.management import call_command
    from gis_app.bundles.demo import DEMO_PASSWORD

    call_command("load_demo")
    return DEMO_PASSWORD


@pytest.fixture
def login():
    """login(page, username, password="pw", next=None): open `/` (or the login page with
    `next`), get sent to the login page, sign in; the page is then at the role's home (or next)."""
    def _login(page, username: str, password: str = "pw", next: str | None = None):
        page.goto(f"/login/?next={next}" if next else "/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        return page
    return _login


@pytest.fixture
def shot(request):
    """shot(page, name) -> path of a full-page screenshot under $PAGES_SHOTS/<test module>/."""
    folder = SHOTS / request.node.module.__name__.rsplit(".", 1)[-1]
    folder.mkdir(parents=True, exist_ok=True)

    def _shot(page, name: str, full_page: bool = True) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path
    return _shot
