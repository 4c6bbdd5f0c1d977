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

from gis_app.incidents.access import role_of  # noqa: F401 (the one rule; pages import it from here)

ROLES = ("command_centre", "grid_member", "township_team", "department", "planner", "admin")

ROLE_LABELS = {"command_centre": "指挥中心", "grid_member": "网格员", "township_team": "乡镇执法队员",
               "department": "县级部门", "planner": "规划人员", "admin": "系统管理员"}


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
        unknown = self.roles - set(ROLES)
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
    from gis_app.incidents import access

    return access.may_read_patrols(user)


def register_defaults() -> None:
    """The command centre's pages and the map pages that exist on main."""
    everyone = set(ROLES)
    for entry in (
        NavEntry("工作台", "pages-workspace", {"command_centre", "department", "admin"}, order=10),
        NavEntry("大屏", "pages-screen", {"command_centre", "admin"}, order=20),
        NavEntry("考核", "pages-assessment", {"command_centre", "department", "planner", "admin"}, order=30),
        NavEntry("地图", "map-command", everyone - {"grid_member"}, order=40),
        NavEntry("保护地", "map-protected-areas", {"command_centre", "department", "planner", "admin"},
                 order=50),
        NavEntry("巡查覆盖", "map-coverage", everyone, order=60, when=_reads_patrols),
        NavEntry("接口文档", "api-docs", everyone - {"grid_member", "township_team"}, order=90),
        NavEntry("后台", "admin:index", {"admin"}, order=95),
    ):
        register(entry)


register_defaults()
