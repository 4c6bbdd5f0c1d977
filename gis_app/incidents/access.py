"""Who may see and change what, per role: the one module that says it.

REST endpoints, OGC collections, vector tiles and pages all ask here (directly or through
`Case.objects.visible_to`), so a role's reach is decided once. The county rule underneath
(superuser: every county; a member: their own; no Member row: nothing, told why) is
gis_app/enforcement/access.py's, re-exported here.

Roles (gis_app.enforcement.models.Member.Role), and `admin` for a superuser without one:
- cases, records: command centre the whole county; township team its township, the
  townships its hub covers (1+X) and cases its team acts on; department cases in its name,
  supported by it or acted on by its teams; grid member the cases they reported; planner no
  records (maps and statistics only). Statistics: planners and command centres count the
  whole county, others what they may see.
- cases, changes: reporting by grid members (in their own grids), teams, departments and the
  command centre; each step by its actors (`actor_kinds`: the acting team, the command
  centre, a supporting department); joint inspections by the command centre.
- patrols: tracks, coverage, plans, hub reach and live positions are read by township teams,
  departments, the command centre and planners (grid members report, they do not watch
  other people's movements); tracks are uploaded for `upload_teams`; plans are managed by
  planners.
- pages (which roles open which page; the records on them stay filtered by the rules above):
  `PAGE_ROLES` below, read by gis_app/pages (the page guard and the header's links).
"""
from __future__ import annotations

from django.db.models import Q, QuerySet

from boundaries.models import HubArea
from gis_app.enforcement.access import NO_MEMBERSHIP, NotAMember, in_counties, may_act_in, visible_county_ids
from gis_app.enforcement.models import Member, Team

Role = Member.Role
ADMIN = "admin"

__all__ = ["NO_MEMBERSHIP", "NotAMember", "in_counties", "may_act_in", "visible_county_ids", "Role", "ADMIN",
           "role_of", "member_of", "sees_all_counties", "CASE_RECORD_READERS", "REPORTERS",
           "may_read_case_records", "TEAM_ACTORS", "counts_whole_county", "case_filter", "may_report",
           "acts_for_team", "actor_kinds", "may_organise_joint_inspections", "PATROL_READERS",
           "may_read_patrols", "may_manage_plans", "upload_teams", "ROLES", "PAGE_ROLES", "may_open_page"]


def role_of(user) -> str | None:
    """The user's role: their Member role, `admin` for a superuser without one, else None."""
    if user is None or not user.is_authenticated:
        return None
    member = getattr(user, "member", None)
    if member is not None:
        return member.role
    return ADMIN if user.is_superuser else None


def sees_all_counties(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


def member_of(user) -> Member | None:
    """The user's Member row; None for a superuser without one. Raises NotAMember otherwise."""
    if not (user and user.is_authenticated):
        raise NotAMember("authentication required")
    found = getattr(user, "member", None)
    if found is None and not sees_all_counties(user):
        raise NotAMember()
    return found


# --- cases -----------------------------------------------------------------------------------

CASE_RECORD_READERS = frozenset({Role.COMMAND_CENTRE, Role.TOWNSHIP_TEAM, Role.DEPARTMENT, Role.GRID_MEMBER})
TEAM_ACTORS = frozenset({Role.TOWNSHIP_TEAM, Role.DEPARTMENT})  # act for a team (acts_for_team): a phone inbox
REPORTERS = frozenset({Role.GRID_MEMBER, Role.TOWNSHIP_TEAM, Role.DEPARTMENT, Role.COMMAND_CENTRE})
WHOLE_COUNTY_COUNTERS = frozenset({Role.PLANNER, Role.COMMAND_CENTRE})


def may_read_case_records(user) -> bool:
    """Planners see maps and statistics, not case records; everyone else within their reach."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return True
    return role_of(user) != Role.PLANNER


def counts_whole_county(user) -> bool:
    """Statistics are counts, not records: planners and command centres count their county."""
    member = getattr(user, "member", None)
    return member is not None and member.role in WHOLE_COUNTY_COUNTERS


def case_filter(user, supports) -> Q | None:
    """The cases `user` may see as a filter on Case; None means every case (superuser).
    `supports` is the CaseSupport model (passed in: this module sits below the models).

    An anonymous user or one without a Member row sees nothing (a filter matching nothing)."""
    nothing = Q(pk__in=[])
    if user is None or not user.is_authenticated:
        return nothing
    if user.is_superuser:
        return None
    member = getattr(user, "member", None)
    if member is None:
        return nothing
    county = in_counties([member.county_id])
    role = member.role
    if role == Role.COMMAND_CENTRE:
        return county
    if role == Role.GRID_MEMBER:
        return county & Q(reporter=user)
    if role == Role.TOWNSHIP_TEAM:
        reach = nothing
        if member.team_id:
            reach |= Q(team_id=member.team_id)
            township_id = member.team.township_id
            if township_id:
                covered = HubArea.objects.filter(hub_id=township_id).values("covered")
                reach |= Q(township_id=township_id) | Q(township_id__in=covered)
        return county & reach
    if role == Role.DEPARTMENT and member.department_id:
        dept = member.department
        supported = supports.objects.filter(department_id=dept.pk).values("case_id")
        return county & (Q(subject__code=dept.code, subject__type="department")
                         | Q(pk__in=supported) | Q(team__department_id=dept.pk))
    return nothing


def may_report(member) -> bool:
    return member is not None and member.role in REPORTERS


def may_organise_joint_inspections(member) -> bool:
    return member is not None and member.role == Role.COMMAND_CENTRE


def acts_for_team(member, team) -> bool:
    """A township team member acts for their team; a department member for their own team
    and every team of their department."""
    if member is None or team is None:
        return False
    if member.role == Role.TOWNSHIP_TEAM:
        return member.team_id == team.pk
    if member.role == Role.DEPARTMENT:
        return member.team_id == team.pk or (team.department_id is not None
                                             and member.department_id == team.department_id)
    return False


def actor_kinds(user, case) -> set[str]:
    """What `user` is to `case`: some of team, command, supporting (each step names its actors)."""
    member = getattr(user, "member", None)
    if member is None or member.county_id != case.county_id:
        return set()
    kinds = set()
    if member.role == Role.COMMAND_CENTRE:
        kinds.add("command")
    if acts_for_team(member, case.team):
        kinds.add("team")
    if member.role == Role.DEPARTMENT and member.department_id and \
            case.supports.filter(department_id=member.department_id).exists():
        kinds.add("supporting")
    return kinds


# --- patrols ---------------------------------------------------------------------------------

PATROL_READERS = frozenset({Role.TOWNSHIP_TEAM, Role.DEPARTMENT, Role.COMMAND_CENTRE, Role.PLANNER})
PLAN_MANAGERS = frozenset({Role.PLANNER})


def may_read_patrols(user) -> bool:
    """Raises NotAMember for an account without a Member row (a 403 saying so)."""
    return sees_all_counties(user) or member_of(user).role in PATROL_READERS


def may_manage_plans(user) -> bool:
    return sees_all_counties(user) or member_of(user).role in PLAN_MANAGERS


def upload_teams(user) -> QuerySet[Team]:
    """The teams `user` may upload tracks for: a township team member their own team or the
    team of the hub covering their township; a department member their department's teams;
    the command centre and planners any team of their county."""
    if sees_all_counties(user):
        return Team.objects.all()
    m = member_of(user)
    county_teams = Team.objects.filter(county_id=m.county_id)
    if m.role in (Role.COMMAND_CENTRE, Role.PLANNER):
        return county_teams
    if m.role == Role.TOWNSHIP_TEAM and m.team_id is not None:
        township_id = m.team.township_id
        hub_teams = Q(kind=Team.Kind.TOWNSHIP_TEAM, township__hub_area__covered__id=township_id)
        return county_teams.filter(Q(pk=m.team_id) | hub_teams).distinct()
    if m.role == Role.DEPARTMENT:
        mine = Q(pk=m.team_id) if m.team_id is not None else Q(pk__in=[])
        if m.department_id is not None:
            mine |= Q(department_id=m.department_id)
        return county_teams.filter(mine)
    return Team.objects.none()


# --- pages -----------------------------------------------------------------------------------

ROLES = frozenset({*Role.values, ADMIN})
CASE_DESK = (CASE_RECORD_READERS - {Role.GRID_MEMBER}) | {ADMIN}

# Which roles open which page, by page. Case records at a desk: not planners (maps and
# statistics only) and not grid members (they work on the phone pages, with their own
# reports); the big screen is the command centre's; 考核 figures are for those who assess
# (command centre, departments, planners); the phone pages split reporters from the teams
# that act; the footprint check is for departments and the command centre; the hotline's
# intake needs a county, so a command-centre member; the patrol planner is the plan managers'.
PAGE_ROLES = {
    "case_desk": CASE_DESK,
    "screen": frozenset({Role.COMMAND_CENTRE, ADMIN}),
    "assessment": frozenset({Role.COMMAND_CENTRE, Role.DEPARTMENT, Role.PLANNER, ADMIN}),
    "field_report": frozenset({Role.GRID_MEMBER}),
    "field_inbox": TEAM_ACTORS,
    "footprint": frozenset({Role.DEPARTMENT, Role.COMMAND_CENTRE, ADMIN}),
    "intake": frozenset({Role.COMMAND_CENTRE}),
    "planner": frozenset({*PLAN_MANAGERS, ADMIN}),
}


def may_open_page(user, page: str) -> bool:
    """Whether `user`'s role opens page `page` (a key of PAGE_ROLES)."""
    return role_of(user) in PAGE_ROLES[page]
