"""The header's links: which pages each role may use (a small registry others append to).

Each page registers one entry next to its view code (or in `register_defaults` below for the
shell's own pages); the header shows the entries of the logged-in user's role, in order.
Roles are Member roles (`grid_member`, `township_team`, `department`, `command_centre`,
`planner`) plus `admin` for superusers without a membership.

    from gis_app.pages.nav import NavEntry, register
    register(NavEntry("上报事件", "field-report", roles={"grid_member"}, order=10))

An entry may name a URL that is not routed yet (another helper's page still to come): it is
left out of the header until its URL exists, so no link points at a 404.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

from gis_app.incidents import access
from gis_app.incidents.access import ADMIN, PAGE_ROLES, ROLES, Role, role_of  # noqa: F401 (pages import role_of from here)

ROLE_LABELS = {Role.COMMAND_CENTRE: "指挥中心", Role.GRID_MEMBER: "网格员", Role.TOWNSHIP_TEAM: "乡镇执法队员",
               Role.DEPARTMENT: "县级部门", Role.PLANNER: "规划人员", ADMIN: "系统管理员"}


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    order: int = 100
    # Extra test on the user (e.g. only natural-resources officers among departments).
    when: object = None

    def __post_init__(self):
        object.__setattr__(self, "roles", frozenset(self.roles))
        unknown = self.roles - ROLES
        if unknown:
            raise ValueError(f"nav entry {self.label!r}: unknown roles {sorted(unknown)}")


_ENTRIES: dict[str, NavEntry] = {}


def register(entry: NavEntry) -> NavEntry:
    """Add (or replace, by URL name) a header link."""
    _ENTRIES[entry.url_name] = entry
    return entry


def entries_for(user) -> list[dict]:
    """The links the header shows `user`: label and URL, in order."""
    role = role_of(user)
    if role is None:
        return []
    out = []
    for entry in sorted(_ENTRIES.values(), key=lambda e: (e.order, e.label)):
        if role not in entry.roles or (entry.when is not None and not entry.when(user)):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        out.append({"label": entry.label, "url": url, "name": entry.url_name})
    return out


def _reads_patrols(user) -> bool:
    return access.may_read_patrols(user)


def register_defaults() -> None:
    """The command centre's pages and the map pages that exist on main."""
    phone = {Role.GRID_MEMBER}  # grid members work on the phone pages only
    for entry in (
        # Township teams may open the workspace too; their header leads to the phone inbox.
        NavEntry("工作台", "pages-workspace", PAGE_ROLES["case_desk"] - {Role.TOWNSHIP_TEAM}, order=10),
        NavEntry("大屏", "pages-screen", PAGE_ROLES["screen"], order=20),
        NavEntry("考核", "pages-assessment", PAGE_ROLES["assessment"], order=30),
        NavEntry("地图", "map-command", ROLES - phone, order=40),
        NavEntry("保护地", "map-protected-areas", ROLES - phone - {Role.TOWNSHIP_TEAM}, order=50),
        NavEntry("巡查覆盖", "map-coverage", ROLES, order=60, when=_reads_patrols),
        NavEntry("接口文档", "api-docs", ROLES - phone - {Role.TOWNSHIP_TEAM}, order=90),
        NavEntry("后台", "admin:index", {ADMIN}, order=95),
    ):
        register(entry)


register_defaults()
