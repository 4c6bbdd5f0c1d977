"""Who may act: departments, teams, the enforcement catalogue and per-township authority.

Codes are unique per county (two counties may both have department `SCJG`).
"""
from django.conf import settings
from django.contrib.gis.db import models

from boundaries.models import County, Grid, Township


class Department(models.Model):
    """County body: the comprehensive bureau, a professional department, or the marine team's."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", "综合行政执法局"
        DEPARTMENT = "department", "专业执法部门"
        MARINE = "marine", "海洋综合执法"

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="departments")
    code = models.CharField(max_length=30)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["county__code", "code"]
        constraints = [models.UniqueConstraint(fields=["county", "code"], name="department_code_unique")]
        verbose_name = verbose_name_plural = "部门"

    def __str__(self):
        return f"{self.name} ({self.code})"


class Team(models.Model):
    """An enforcement team with a base: a township team, a department's team, the marine team."""

    class Kind(models.TextChoices):
        TOWNSHIP_TEAM = "township_team", "乡镇综合行政执法队"
        DEPARTMENT = "department", "部门执法队伍"
        MARINE = "marine", "海洋执法队伍"

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="teams")
    code = models.CharField(max_length=30)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    township = models.ForeignKey(Township, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="teams")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="teams")
    base = models.PointField(srid=4326, null=True, blank=True)

    class Meta:
        ordering = ["county__code", "code"]
        constraints = [models.UniqueConstraint(fields=["county", "code"], name="team_code_unique")]
        verbose_name = verbose_name_plural = "执法队伍"

    def __str__(self):
        return f"{self.name} ({self.code})"


class CatalogItem(models.Model):
    """执法事项: one enforcement item of the county's catalogue."""

    class ActionType(models.TextChoices):
        INSPECTION = "inspection", "检查"
        PENALTY = "penalty", "处罚"
        COERCIVE = "coercive", "强制"

    class WhistleKind(models.TextChoices):
        QUICK = "quick", "快捷哨"
        TOUGH = "tough", "攻坚哨"
        EMERGENCY = "emergency", "应急哨"

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="catalogue")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=50)
    action_type = models.CharField(max_length=20, choices=ActionType.choices)
    legal_basis = models.TextField(blank=True)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="items")
    supporting_departments = models.ManyToManyField(Department, blank=True,
                                                    related_name="supported_items")
    whistle_kind = models.CharField(max_length=20, choices=WhistleKind.choices)

    class Meta:
        ordering = ["county__code", "code"]
        constraints = [models.UniqueConstraint(fields=["county", "code"], name="catalog_item_code_unique")]
        verbose_name = verbose_name_plural = "执法事项"

    def __str__(self):
        return f"{self.name} ({self.code})"


class Authority(models.Model):
    """How a township holds an item: statutory/granted (own name), entrusted (in the
    entrusting department's name), county (dispatched staff in the department's name) or
    none (the township only blows the whistle). No row means none."""

    class Kind(models.TextChoices):
        STATUTORY = "statutory", "法定"
        GRANTED = "granted", "赋权"
        ENTRUSTED = "entrusted", "委托"
        COUNTY = "county", "派驻"
        NONE = "none", "吹哨"

    township = models.ForeignKey(Township, on_delete=models.CASCADE, related_name="authorities")
    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="authorities")
    authority = models.CharField(max_length=20, choices=Kind.choices)
    entrusting_department = models.ForeignKey(Department, null=True, blank=True,
                                              on_delete=models.CASCADE, related_name="entrusted")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["township", "item"], name="authority_unique")]
        verbose_name = verbose_name_plural = "乡镇执法权限"


class Member(models.Model):
    """A user's place in the organisation, which decides what they may see and change."""

    class Role(models.TextChoices):
        GRID_MEMBER = "grid_member", "网格员"
        TOWNSHIP_TEAM = "township_team", "乡镇执法队员"
        DEPARTMENT = "department", "县级部门"
        COMMAND_CENTRE = "command_centre", "指挥中心"
        PLANNER = "planner", "规划人员"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="member")
    role = models.CharField(max_length=20, choices=Role.choices)
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="members")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="members")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="members")
    grids = models.ManyToManyField(Grid, blank=True, related_name="members")
    phone = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "人员"

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class DeadlineRule(models.Model):
    """One row of a county's `deadlines` table: a time limit for the cases it matches.

    Blank keys match anything; the most specific matching row applies (item, then domain,
    then action type, then severity, then whistle kind); no match -> the whistle kind's
    default (settings.WHISTLE_DEADLINE_HOURS, calendar hours). `row` is the row's number in
    the table as the county wrote it, so an answer can say which row applied.
    """

    class Unit(models.TextChoices):
        WORKING_HOURS = "working_hours", "工作小时"
        WORKING_DAYS = "working_days", "工作日"
        CALENDAR_HOURS = "calendar_hours", "自然小时"

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="deadline_rules")
    row = models.PositiveIntegerField()
    item_code = models.CharField(max_length=40, blank=True)
    domain = models.CharField(max_length=50, blank=True)
    action_type = models.CharField(max_length=20, blank=True)
    whistle_kind = models.CharField(max_length=20, blank=True)
    severity = models.CharField(max_length=10, blank=True)
    limit = models.FloatField()
    unit = models.CharField(max_length=20, choices=Unit.choices)

    class Meta:
        ordering = ["county_id", "row"]
        constraints = [models.UniqueConstraint(fields=["county", "row"], name="deadline_rule_row_unique")]


class CalendarDay(models.Model):
    """A county's own change to China's working calendar (`calendar` table): a day off that
    the national calendar works (a local holiday) or a working day it does not."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="calendar_days")
    day = models.DateField()
    workday = models.BooleanField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["county_id", "day"]
        constraints = [models.UniqueConstraint(fields=["county", "day"], name="calendar_day_unique")]


class SeverityRule(models.Model):
    """One row of a county's `severity` table: protected-area kind x zone (x item domain) ->
    severity. Blank keys match anything; the most specific matching row applies; without a
    table, core = high, buffer = elevated, others normal (enforcement/severity.py)."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="severity_rules")
    row = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, blank=True)
    zone = models.CharField(max_length=20, blank=True)
    domain = models.CharField(max_length=50, blank=True)
    severity = models.CharField(max_length=10)

    class Meta:
        ordering = ["county_id", "row"]
        constraints = [models.UniqueConstraint(fields=["county", "row"], name="severity_rule_row_unique")]


class RuleVersion(models.Model):
    """A version of a county's rule tables (catalogue, authority, deadlines, severity, calendar):
    a new number whenever an import changes any of them (`digest` tells), so a case can say
    which rules decided it."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="rule_versions")
    number = models.PositiveIntegerField()
    digest = models.CharField(max_length=32)
    created_at = models.DateTimeField()
    # The tables themselves (catalogue, authority, deadlines, severity, calendar), by codes:
    # what the archived router decides with (gis_app/bundles/archive.py). Null: pruned, or
    # a version recorded before tables were kept.
    tables = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["county_id", "number"]
        constraints = [models.UniqueConstraint(fields=["county", "number"], name="rule_version_unique")]
