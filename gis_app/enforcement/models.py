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
        verbose_name_plural = "authorities"


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

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"
