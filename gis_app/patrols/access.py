"""Who may do what with patrols. The county rule is gis_app/enforcement/access.py's (the same
as gis_app/api/access.py's); this adds roles. Plain Python: the API turns refusals into 403s.

- read (tracks, coverage, plans, comparisons, hub reach, live positions) in one's county:
  township teams, departments, the command centre and planners; grid members read nothing
  here (their job is reporting in their own grids, not watching other people's movements);
- upload tracks: a township team member for their own team, or for the team of the hub
  whose 1+X area covers their township; a department member for their department's teams;
  the command centre and planners for any team of their county;
- manage patrol plans: planners;
- a superuser may do everything; an account without a Member row nothing (403).
"""
from __future__ import annotations

from django.db.models import Q, QuerySet

from gis_app.enforcement.access import NotAMember
from gis_app.enforcement.models import Member, Team

Role = Member.Role
READERS = frozenset({Role.TOWNSHIP_TEAM, Role.DEPARTMENT, Role.COMMAND_CENTRE, Role.PLANNER})
PLANNERS = frozenset({Role.PLANNER})


def sees_all_counties(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


def member(user) -> Member | None:
    """The user's Member row; None for a superuser without one. Raises NotAMember otherwise."""
    if not (user and user.is_authenticated):
        raise NotAMember("authentication required")
    found = getattr(user, "member", None)
    if found is None and not sees_all_counties(user):
        raise NotAMember()
    return found


def can_read(user) -> bool:
    return sees_all_counties(user) or member(user).role in READERS


def can_manage_plans(user) -> bool:
    return sees_all_counties(user) or member(user).role in PLANNERS


def upload_teams(user) -> QuerySet[Team]:
    """The teams `user` may upload tracks for."""
    if sees_all_counties(user):
        return Team.objects.all()
    m = member(user)
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
