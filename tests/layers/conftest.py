"""A generated county with zones, a hub, cases, a patrol track and a user of every role.

Home county 990101 (2x2 townships of 0.04 degree at 120E 30N, grids of 0.01 degree; see
tests/territory.py); a neighbour 990102 at 121E with a case of its own, so isolation shows.
Known places:
- grid 990101001001001 covers (120.000..120.010, 30.000..30.010);
- protected area PA01: core (120.005..120.015, 30.005..30.015), buffer east of it;
- cases: `in_core` at (120.008, 30.008), reported by the grid member; `overdue` at
  (120.025, 30.025) by the command centre three days ago (quick item: 24 h deadline, so
  overdue) and escalated; `far` in township 4 at (120.065, 30.065) by the command centre;
  `other` in the neighbour county;
- a track of township 1's team walking east along y = 30.005 from x = 120.002 to 120.028
  (grids ...001001001, ...001001002 and ...001002001 patrolled), at T0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

import mapbox_vector_tile
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from gis_app.enforcement.routing import PointQuery
from gis_app.incidents import loop, reporting
from gis_app.patrols.services import upload_track
from tests.patrols.helpers import T0, csv_file, walk
from tests.territory import make_hub, make_territory, make_zone
from tests.users import auth_header, make_user

ROLES = ("grid", "team", "department", "command", "planner")
TRACK_WAYPOINTS = [(120.002, 30.005), (120.028, 30.005)]
PATROLLED = ["990101001001001", "990101001001002", "990101001002001"]


@dataclass
class World:
    t: object
    other: object
    users: dict
    cases: dict
    track: object


def _report(user, lon, lat, item="I001", now=None, description="占道经营，摊位堵住人行道"):
    return reporting.case_report(user=user, query=PointQuery(lon=lon, lat=lat), item_code=item,
                                description=description, now=now)


def build_world() -> World:
    t = make_territory()
    other = make_territory(code="990102", name="邻县", origin=(121.0, 30.0), cols=1, rows=1)
    make_zone(t.county, "PA01", "core", (120.005, 30.005, 120.015, 30.015), "ZYGH", name="本县保护区")
    make_zone(t.county, "PA01", "buffer", (120.015, 30.005, 120.025, 30.015), "ZYGH", name="本县保护区")
    t1, t2 = t.townships[0], t.townships[1]
    make_hub(t1, [t2])
    own_grids = [g for g in t.grids if g.township_id == t1.pk]
    users = {
        "grid": make_user("grid", "grid_member", t.county, grids=own_grids),
        "team": make_user("team", "township_team", t.county, team=t.teams[t1.code]),
        "department": make_user("department", "department", t.county, department=t.departments["SCJG"]),
        "command": make_user("command", "command_centre", t.county),
        "planner": make_user("planner", "planner", t.county),
        "other_command": make_user("other_command", "command_centre", other.county),
        "admin": make_user("admin", superuser=True),
        "nobody": make_user("nobody"),
    }
    now = timezone.now()
    cases = {"in_core": _report(users["grid"], 120.008, 30.008, now=now - timedelta(hours=1)),
             "overdue": _report(users["command"], 120.025, 30.025, now=now - timedelta(days=3)),
             "far": _report(users["command"], 120.065, 30.065, item="I002", now=now - timedelta(hours=2)),
             "other": _report(users["other_command"], 121.005, 30.005, now=now - timedelta(hours=3))}
    overdue = cases["overdue"]
    cases["overdue"] = loop.case_escalate(case=overdue, user=users["command"], version=overdue.version)
    track = upload_track(csv_file(walk(TRACK_WAYPOINTS, start=T0)), team=t.teams[t1.code], filename="t.csv")
    return World(t=t, other=other, users=users, cases=cases, track=track)


def add_area_case(world):
    """An area case (a footprint, see gis_app/enforcement/footprint.py) across the home reserve's
    core and buffer: the `case-footprints` layer's one feature."""
    from tests.territory import box

    return reporting.case_report_footprint(
        user=world.users["command"], footprint=box(120.012, 30.008, 120.018, 30.011),
        received_crs="EPSG:4326", item_code="I001", description="未批先建养殖场")


@pytest.fixture
def world(db):
    return build_world()


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(**auth_header(user))
    return client


@pytest.fixture
def get(world):
    """get(role, path, **params) -> response; role None is anonymous."""
    def _get(role, path, **params):
        user = world.users[role] if role else None
        return client_for(user).get(path, params)
    return _get


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return z, x, y


def tile_path(layer: str, lon: float, lat: float, z: int) -> str:
    z, x, y = tile_of(lon, lat, z)
    return f"/tiles/{layer}/{z}/{x}/{y}.pbf"


def decode(response, layer: str) -> list[dict]:
    """The features of `layer` in a tile response (none for 204)."""
    if response.status_code == 204:
        return []
    assert response.status_code == 200, response.content
    data = mapbox_vector_tile.decode(response.content)
    return data.get(layer, {}).get("features", [])


def lonlat_in_tile(feature: dict, z: int, x: int, y: int, extent: int = 4096) -> tuple[float, float]:
    """A decoded point feature's position back in lon/lat (mapbox_vector_tile flips y up)."""
    px, py = feature["geometry"]["coordinates"]
    n = 2 ** z
    lon = (x + px / extent) / n * 360.0 - 180.0
    merc_y = (y + (extent - py) / extent) / n
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * merc_y))))
    return lon, lat
