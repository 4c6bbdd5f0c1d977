"""Headless Chromium driven through the Chrome DevTools Protocol (a websocket), for page tests.

Every request the page makes is recorded (Network.requestWillBeSent), so a test can prove that
nothing left 127.0.0.1; Chromium also runs with a host-resolver rule that makes every other
host unresolvable, so a page that needed the internet would visibly fail to draw.
"""
from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import time
import urllib.request
from urllib.parse import urlparse

import websocket

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
NOT_NETWORK = {"data", "blob", "about"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    def __init__(self, profile_dir: str, width: int = 1280, height: int = 860):
        self.port = _free_port()
        self.process = subprocess.Popen([
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-extensions",
            "--disable-default-apps", "--mute-audio", f"--user-data-dir={profile_dir}",
            f"--remote-debugging-port={self.port}", f"--window-size={width},{height}",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
            "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.requests: list[str] = []
        self.failed: list[str] = []
        self._id = 0
        self.ws = websocket.create_connection(self._page_socket(), timeout=30, suppress_origin=True)
        self.send("Network.enable")
        self.send("Page.enable")
        self.send("Runtime.enable")

    def _page_socket(self) -> str:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=2) as r:
                    pages = [t for t in json.load(r) if t.get("type") == "page"]
                if pages:
                    return pages[0]["webSocketDebuggerUrl"]
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("Chromium did not start its DevTools endpoint")
            time.sleep(0.2)

    def _event(self, message: dict) -> None:
        method = message.get("method")
        if method == "Network.requestWillBeSent":
            self.requests.append(message["params"]["request"]["url"])
        elif method == "Network.loadingFailed":
            self.failed.append(message["params"].get("errorText", ""))

    def send(self, method: str, **params) -> dict:
        self._id += 1
        mine = self._id
        self.ws.send(json.dumps({"id": mine, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == mine:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._event(message)

    def pump(self, seconds: float) -> None:
        """Read events for `seconds` (requests made while the page runs on its own)."""
        deadline = time.monotonic() + seconds
        self.ws.settimeout(0.2)
        try:
            while time.monotonic() < deadline:
                try:
                    self._event(json.loads(self.ws.recv()))
                except websocket.WebSocketTimeoutException:
                    pass
        finally:
            self.ws.settimeout(30)

    def set_cookie(self, url: str, name: str, value: str) -> None:
        self.send("Network.setCookie", name=name, value=value, url=url)

    def open(self, url: str) -> None:
        self.send("Page.navigate", url=url)

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float = 30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            self.pump(0.3)
        raise AssertionError(f"timed out waiting for {expression}")

    def screenshot(self, path) -> None:
        data = self.send("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def outside_requests(self) -> list[str]:
        return [u for u in self.requests
                if urlparse(u).scheme not in NOT_NETWORK and urlparse(u).hostname not in LOCAL_HOSTS]

    def close(self) -> None:
        """Leave the page first (its refresh timers stop) and let requests in flight finish,
        so none is still reading the test database when the test's teardown empties it."""
        try:
            self.send("Page.navigate", url="about:blank")
            self.pump(0.5)
            self.ws.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
