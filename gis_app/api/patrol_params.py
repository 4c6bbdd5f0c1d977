"""Query and form parameters of the patrol endpoints, parsed strictly (400 naming the parameter)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from boundaries.models import County, Township
from gis_app.api.access import visible_counties
from gis_app.enforcement.models import Team
from gis_app.web.errors import BadParameter
from gis_app.web.params import Param, check_date_range, get_one, parse_code

MAX_PERIOD_DAYS = 366

COUNTY = Param("county", "County code (6 digits); may be left out when you see one county only.")
TEAM = Param("team", "Team code (unique per county).")
TOWNSHIP = Param("township", "Township code (9 digits) of the county.")
FROM = Param("from", "Start of the period: ISO 8601 date or date-time; without an offset it is "
                     "local time (Asia/Shanghai). Default: start of today.")
TO = Param("to", "End of the period (exclusive): ISO 8601 date (that whole day included) or "
                 "date-time. Default: the end of the `from` day, or now when `from` is given as a time.")


def _zone():
    return ZoneInfo(settings.TIME_ZONE)


def _moment(name: str, value: str, is_end: bool) -> tuple[datetime, bool]:
    """(aware datetime, was a bare date). A bare date as an end means the end of that day."""
    try:
        if len(value) == 10:
            day = check_date_range(name, date.fromisoformat(value))
            moment = datetime.combine(day + timedelta(days=1) if is_end else day, time(0), _zone())
            return moment, True
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadParameter(name, f"{value!r} is not an ISO 8601 date (2026-05-04) or date-time "
                                 f"(2026-05-04T08:00:00+08:00)") from None
    check_date_range(name, moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone())
    return moment, False


def parse_period(request, now: datetime | None = None) -> tuple[datetime, datetime]:
    """`from`/`to` as an aware [start, end) period of at most MAX_PERIOD_DAYS days."""
    start_text, end_text = get_one(request, "from"), get_one(request, "to")
    now = now or datetime.now(_zone())
    start = end = None
    bare_start = False
    if start_text is not None:
        start, bare_start = _moment("from", start_text, is_end=False)
    if end_text is not None:
        end, _ = _moment("to", end_text, is_end=True)
    if start is None and end is None:
        start = datetime.combine(now.astimezone(_zone()).date(), time(0), _zone())
        end = start + timedelta(days=1)
    elif end is None:
        end = start + timedelta(days=1) if bare_start else max(now, start + timedelta(seconds=1))
    elif start is None:
        start = end - timedelta(days=1)
    if end <= start:
        raise BadParameter("to", "must be after `from`")
    if end - start > timedelta(days=MAX_PERIOD_DAYS):
        raise BadParameter("to", f"the period may span at most {MAX_PERIOD_DAYS} days")
    return start, end


def parse_county(request) -> County:
    """The `county` parameter among the counties the user may see; optional when that is one."""
    code = parse_code(request, "county", digits=6)
    counties = visible_counties(request.user)
    if code is None:
        found = list(counties.defer("geom")[:2])
        if len(found) == 1:
            return found[0]
        raise BadParameter("county", "required: you may see several counties, say which (6-digit code)")
    county = counties.defer("geom").filter(code=code).first()
    if county is None:
        raise BadParameter("county", f"no county {code} among the counties you may see")
    return county


def parse_team(request, county: County, name: str = "team", value: str | None = None) -> Team | None:
    code = value if value is not None else parse_code(request, name)
    if code is None:
        return None
    team = Team.objects.filter(county=county, code=code).first()
    if team is None:
        raise BadParameter(name, f"no team {code!r} in county {county.code}")
    return team


def parse_township(request, county: County) -> Township | None:
    code = parse_code(request, "township", digits=9)
    if code is None:
        return None
    township = Township.objects.defer("geom").filter(county=county, code=code).first()
    if township is None:
        raise BadParameter("township", f"no township {code} in county {county.code}")
    return township
