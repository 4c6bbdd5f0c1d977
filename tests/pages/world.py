"""The layers' test county (tests/layers/conftest.py) plus a case the township team acts on:
township 1 holds item I001 (statutory), so a report there goes to its own team; and the two
ways page tests reach it: a logged-in Django client, a map's pixel in the browser."""
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from tests.layers.conftest import _report, build_world
from tests.territory import grant


def build_pages_world():
    world = build_world()
    t1 = world.t.townships[0]
    grant(t1, world.t.items["I001"], "statutory")
    world.cases["team_case"] = _report(world.users["command"], 120.032, 30.012,
                                       now=timezone.now() - timedelta(minutes=30),
                                       description="路边摊占用人行道，行人无法通行")
    return world


def logged_in(world, role) -> Client:
    """A Django test client logged in as the world's user of `role`."""
    client = Client()
    client.force_login(world.users[role])
    return client


def map_pixel(page, lon, lat) -> tuple[float, float]:
    """Where (lon, lat) lies on the page's Leaflet map (`window.pageMap` in #map), in page pixels."""
    box = page.locator("#map").bounding_box()
    point = page.evaluate(f"window.pageMap.latLngToContainerPoint([{lat}, {lon}])")
    return box["x"] + point["x"], box["y"] + point["y"]
