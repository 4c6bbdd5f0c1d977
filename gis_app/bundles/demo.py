"""The demo: the two county bundles shipped in boundaries/demo, a user for every role, and
a few cases so the map pages show live work.

Loading is idempotent so `make demo` can run again and again: a county already loaded from
the same bundle version is left alone, an older version is replaced; demo cases are only
reported in a county that has none.
"""
from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.gis.db.models.functions import PointOnSurface
from django.utils import timezone

from django.contrib.auth import get_user_model
from django.db import transaction

from boundaries.models import County, Grid
from gis_app.bundles.importer import ImportResult, import_bundle
from gis_app.enforcement.models import CatalogItem, Department, Member, Team
from gis_app.enforcement.routing import PointQuery, Refused
from gis_app.incidents import loop, reporting
from gis_app.incidents.models import Case

DEMO_DIR = Path(__file__).resolve().parents[2] / "boundaries" / "demo"
DEMO_PASSWORD = "demo-password"


def demo_bundles() -> list[Path]:
    return sorted(p.parent for p in DEMO_DIR.glob("*/manifest.json"))


def load_bundles(folders=None) -> list[tuple[Path, ImportResult | None]]:
    """(folder, result) per bundle; result None where that version is already loaded."""
    out = []
    for folder in folders or demo_bundles():
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        loaded = County.objects.filter(bundle_name=manifest["name"]).first()
        if loaded and loaded.bundle_version == str(manifest["version"]):
            out.append((folder, None))
            continue
        out.append((folder, import_bundle(folder, replace=loaded is not None)))
    return out


# username -> (role, county code, how to find the team / department / grids)
DEMO_USERS = {
    "command": ("command_centre", "330922", {}),
    "command-yangcheng": ("command_centre", "140522", {}),
    "grid": ("grid_member", "330922", {"grids_of_township_name": "菜园镇"}),
    "team-shengshan": ("township_team", "330922", {"team_of_township_name": "嵊山镇"}),
    "team-sitou": ("township_team", "140522", {"team_of_township_name": "寺头乡"}),
    "dept-market": ("department", "330922", {"department_name_contains": "市场监"}),
    "dept-resources": ("department", "140522", {"department_name_contains": "资源"}),
    "planner": ("planner", "330922", {}),
}


@transaction.atomic
def ensure_demo_users() -> list[str]:
    """Create (or refresh) one demo user per role; returns their usernames.

    A new user gets the demo password; an existing user's password is left alone unless
    DEBUG is on, so running load_demo on a server whose admin changed it resets nothing.
    """
    User = get_user_model()
    made = []
    admin, created = User.objects.get_or_create(username="admin", defaults={"is_staff": True, "is_superuser": True})
    _demo_password(admin, created)
    made.append("admin")
    for username, (role, county_code, find) in DEMO_USERS.items():
        county = County.objects.filter(code=county_code).first()
        if county is None:
            continue
        user, created = User.objects.get_or_create(username=username)
        _demo_password(user, created)
        team = department = None
        grids = []
        if "team_of_township_name" in find:
            team = Team.objects.filter(county=county, kind="township_team",
                                       township__name=find["team_of_township_name"]).first()
        if "department_name_contains" in find:
            department = Department.objects.filter(county=county,
                                                   name__contains=find["department_name_contains"]).first()
        if "grids_of_township_name" in find:
            grids = list(Grid.objects.filter(township__name=find["grids_of_township_name"],
                                             county=county).order_by("code")[:3])
        member, _ = Member.objects.update_or_create(
            user=user, defaults={"role": role, "county": county, "team": team, "department": department})
        member.grids.set(grids)
        made.append(username)
    return made


def _demo_password(user, created: bool) -> None:
    if created or settings.DEBUG:
        user.set_password(DEMO_PASSWORD)
        user.save()


DEMO_CASE_DESCRIPTION = "演示案件（demo）"


def report_demo_cases(count: int = 30, seed: int = 6) -> dict[str, int]:
    """Report `count` cases at random grids of each county that has a command centre and no
    cases yet, through the real intake (routing, deadline, audit trail); a third are dated
    back past their deadline and half of those escalated. Returns cases made per county."""
    rng = random.Random(seed)
    made: dict[str, int] = {}
    now = timezone.now()
    for member in demo_command_centres():
        county = member.county
        if county.code in made or Case.objects.filter(county=county).exists():
            continue
        places = demo_places(county)
        made[county.code] = 0
        for i in range(count):
            overdue = i % 3 == 0
            when = now - (timedelta(days=rng.randint(3, 10)) if overdue else timedelta(hours=rng.randint(0, 20)))
            case = report_demo_case(member, places, rng, when)
            if case is None:
                continue
            if overdue and i % 2 == 0:
                loop.case_escalate(case=case, user=member.user, version=case.version)
            made[county.code] += 1
    return made


def demo_command_centres():
    """The command centres demo cases are reported by, one county after another."""
    return Member.objects.filter(role="command_centre").select_related("user", "county").order_by("county__code")


def demo_places(county) -> tuple[list[str], list]:
    """`county`'s catalogue item codes and a point inside each of its grids, in a fixed order,
    so that seeded choices among them make the same demo cases every build."""
    items = list(CatalogItem.objects.filter(county=county).order_by("code").values_list("code", flat=True))
    points = list(Grid.objects.filter(county=county).order_by("code").annotate(p=PointOnSurface("geom"))
                  .values_list("p", flat=True))
    return items, points


def report_demo_case(member, places, rng: random.Random, when) -> Case | None:
    """One demo case as the hotline reports it to `member`'s command centre at `when`: a random
    grid and item of `places`, through the real intake; None when the router refuses it."""
    items, points = places
    point, item = rng.choice(points), rng.choice(items)
    try:
        return reporting.case_report(user=member.user, query=PointQuery(lon=point.x, lat=point.y),
                                     item_code=item, description=DEMO_CASE_DESCRIPTION,
                                     source=Case.Source.HOTLINE, now=when)
    except Refused:
        return None
