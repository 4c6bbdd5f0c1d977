"""Small helpers shared by the router tests."""
from datetime import datetime
from zoneinfo import ZoneInfo

from gis_app.enforcement.routing import PointQuery

#: The clock the router is given, so deadlines are exact.
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def at(lon, lat) -> PointQuery:
    """A WGS84 point as the router receives it."""
    return PointQuery(lon, lat)


def inside(unit):
    """A point well inside a unit (its point on surface), as (lon, lat)."""
    p = unit.geom.point_on_surface
    return p.x, p.y
