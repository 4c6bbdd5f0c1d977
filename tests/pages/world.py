"""The layers' test county (tests/layers/conftest.py) plus a case the township team acts on:
township 1 holds item I001 (statutory), so a report there goes to its own team."""
from datetime import timedelta

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
