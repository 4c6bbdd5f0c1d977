"""A generated county with every kind of routing, and a user for each role in it."""
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from gis_app.enforcement.routing import PointQuery
from gis_app.incidents import reporting
from tests.territory import grant, make_hub, make_territory
from tests.users import make_user

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@dataclass
class World:
    t: object
    other: object
    users: dict

    def point(self, township_index: int, dx=0.005, dy=0.005) -> PointQuery:
        """A point inside the first grid of township `township_index` (0-based)."""
        x0, y0, _, _ = self.t.townships[township_index].geom.extent
        return PointQuery(lon=x0 + dx, lat=y0 + dy)

    def sea(self) -> PointQuery:
        x0, y0, x1, y1 = self.t.sea_bbox
        return PointQuery(lon=(x0 + x1) / 2, lat=(y0 + y1) / 2)


@pytest.fixture
def world(db):
    t = make_territory()
    other = make_territory(code="990102", name="邻县", origin=(121.0, 30.0))
    t1, t2, t3, t4 = t.townships
    make_hub(t1, [t2])  # 1+X: township 1's team also serves township 2
    grant(t1, t.items["I001"], "statutory")
    grant(t2, t.items["I001"], "statutory")
    grant(t3, t.items["I002"], "entrusted", t.departments["SCJG"])
    grant(t4, t.items["I001"], "county")
    # I003 anywhere and I004 anywhere: no row -> whistle to the item's department's team.
    users = {
        "grid": make_user("grid", "grid_member", t.county, grids=[g for g in t.grids if g.township_id == t1.pk][:4]),
        "team1": make_user("team1", "township_team", t.county, team=t.teams[t1.code]),
        "team3": make_user("team3", "township_team", t.county, team=t.teams[t3.code]),
        "team4": make_user("team4", "township_team", t.county, team=t.teams[t4.code]),
        "scjg": make_user("scjg", "department", t.county, department=t.departments["SCJG"]),
        "sthj": make_user("sthj", "department", t.county, department=t.departments["STHJ"]),
        "zygh": make_user("zygh", "department", t.county, department=t.departments["ZYGH"]),
        "command": make_user("command", "command_centre", t.county),
        "planner": make_user("planner", "planner", t.county),
        "other_command": make_user("other_command", "command_centre", other.county),
        "admin": make_user("admin", superuser=True),
        "nobody": make_user("nobody"),
    }
    return World(t=t, other=other, users=users)


def report(world, user="grid", township=0, item="I001", now=NOW, **kwargs):
    query = kwargs.pop("query", None) or world.point(township)
    return reporting.case_report(user=world.users[user], query=query, item_code=item,
                                description=kwargs.pop("description", "占道经营，摊位堵住人行道"),
                                now=now, **kwargs)
