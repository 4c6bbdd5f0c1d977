"""Staff as data: a county's members file (CSV or XLSX) -> user accounts and memberships.

Columns: username, name, phone, role, team, department, grids (`;`-separated grid codes).
Like a bundle, the file is loaded all or nothing: every mistake is reported (row, column,
reason) and nothing is written unless there is none. Users are created or updated; a new
account gets an unusable password and a one-time first-login link (a Django password-reset
token: it stops working once the password is set, or after PASSWORD_RESET_TIMEOUT).
Members of the county left out of the file are deactivated, never deleted: their cases,
events and tracks keep pointing at them.

What each role needs: a grid member at least one grid of the county; a township team member
a team of kind township_team; a department user a department (and optionally its team).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from boundaries.models import County, Grid
from gis_app.bundles.checks import check_enum, check_nonempty, check_refs, require_columns, row_labeller, split_list
from gis_app.bundles.problems import BundleRejected, Report, row_label
from gis_app.bundles.reader import read_table_file
from gis_app.enforcement.models import Department, Member, Team

COLUMNS = ("username", "name", "phone", "role", "team", "department", "grids")
ROLE_WORDS = {**{r.value: r.value for r in Member.Role}, **{r.label: r.value for r in Member.Role}}
USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}$")


@dataclass
class MembersResult:
    county_code: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # username -> first-login path
    dry_run: bool = False


class _DryRun(Exception):
    pass


def first_login_path(user) -> str:
    """The one-time link's path (the operator prefixes the server's address)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("first-login", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)})


def check_members(file: str, frame, county: County, report: Report):
    """The rows that may be written, or None; every mistake goes to `report`."""
    if not require_columns(frame, file, COLUMNS, report):
        return None
    frame = frame.assign(role=frame["role"].map(lambda v: ROLE_WORDS.get(v, v)))
    teams = {t.code: t for t in Team.objects.filter(county=county)}
    departments = {d.code: d for d in Department.objects.filter(county=county)}
    grids = set(Grid.objects.filter(county=county).values_list("code", flat=True))
    ok = check_nonempty(frame, file, ("username", "name"), report, row_labeller)
    ok &= check_enum(frame, file, "role", tuple(r.value for r in Member.Role), report, row_labeller)
    ok &= check_refs(frame, file, "team", set(teams), "team of this county", report, row_labeller, required=False)
    ok &= check_refs(frame, file, "department", set(departments), "department of this county", report,
                     row_labeller, required=False)
    ok &= check_refs(frame, file, "grids", grids, "grid of this county", report, row_labeller,
                     required=False, as_list=True)
    User = get_user_model()
    seen: dict[str, int] = {}
    for i, row in frame.iterrows():
        where = row_label(i)

        def bad(column, reason):
            report.problem(file, where, column, reason)
            ok[i] = False
        username, role = row["username"], row["role"]
        if username and not USERNAME.match(username):
            bad("username", f"{username!r}: letters, digits and . @ + - _ only")
        if username in seen:
            bad("username", f"{username!r} also in {row_label(seen[username])}")
        seen.setdefault(username, i)
        if row["phone"] and not PHONE.match(row["phone"]):
            bad("phone", f"{row['phone']!r} is not a phone number")
        if role == Member.Role.GRID_MEMBER and not split_list(row["grids"]):
            bad("grids", "a grid member needs at least one grid")
        if role == Member.Role.TOWNSHIP_TEAM and (row["team"] not in teams
                                                  or teams[row["team"]].kind != Team.Kind.TOWNSHIP_TEAM):
            bad("team", "a township team member needs a team of kind township_team")
        if role == Member.Role.DEPARTMENT and not row["department"]:
            bad("department", "a department user needs a department")
        existing = User.objects.filter(username=username).select_related("member").first()
        if existing is not None and existing.is_superuser:
            bad("username", f"{username!r} is an administrator account, not managed by members files")
        member = getattr(existing, "member", None) if existing else None
        if member is not None and member.county_id != county.pk:
            bad("username", f"{username!r} is a member of another county ({member.county.code})")
    return frame[ok] if not report else None


def import_members(path, *, county_code: str, dry_run: bool = False) -> MembersResult:
    """Load a members file for one county; raise BundleRejected listing every mistake."""
    report = Report()
    county = County.objects.filter(code=county_code).first()
    if county is None:
        report.problem("", "", "county", f"no county {county_code!r} is loaded")
        raise BundleRejected(report)
    path = Path(path)
    file = path.name
    frame = read_table_file(path, file, report) if path.exists() else None
    if not path.exists():
        report.problem(file, "", "", "no such file")
    rows = check_members(file, frame, county, report) if frame is not None else None
    if report or rows is None:
        raise BundleRejected(report)
    result = MembersResult(county_code=county.code, dry_run=dry_run)
    try:
        with transaction.atomic():
            _write(county, rows, result)
            if dry_run:
                raise _DryRun
    except _DryRun:
        result.links = {}
    return result


def _write(county: County, rows, result: MembersResult) -> None:
    User = get_user_model()
    teams = {t.code: t for t in Team.objects.filter(county=county)}
    departments = {d.code: d for d in Department.objects.filter(county=county)}
    grids = {g.code: g for g in Grid.objects.filter(county=county).only("id", "code")}
    for _, row in rows.iterrows():
        user, created = User.objects.get_or_create(username=row["username"])
        user.first_name, user.is_active = row["name"][:150], True
        if created:
            user.set_unusable_password()
        user.save()
        Member.objects.update_or_create(user=user, defaults={
            "role": row["role"], "county": county, "phone": row["phone"],
            "team": teams.get(row["team"]), "department": departments.get(row["department"])})
        user.member.grids.set([grids[c] for c in split_list(row["grids"])])
        (result.created if created else result.updated).append(user.username)
        if not user.has_usable_password():
            result.links[user.username] = first_login_path(user)
    listed = set(rows["username"])
    gone = (User.objects.filter(member__county=county, is_active=True, is_superuser=False)
            .exclude(username__in=listed))
    result.deactivated = sorted(gone.values_list("username", flat=True))
    gone.update(is_active=False)
