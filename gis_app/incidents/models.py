"""Cases and their closed loop (高平's seven steps), the audit trail, attachments.

A case freezes the router's decision at intake (team, mode, subject, hub, departments,
severity, deadline): later changes to the territory or the catalogue do not move a case,
only an explicit re-route does. Every change of a case is one transaction that also
appends a CaseEvent; events are append-only in the database itself (a trigger refuses
UPDATE and DELETE) and hash-chained per case, so tampering is detectable.
"""
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.db.models.functions import Upper
from django.utils import timezone

from boundaries.models import County, Grid, Township, Village
from gis_app.enforcement.models import CatalogItem, Department, Team
from gis_app.incidents.querysets import CaseQuerySet
from gis_app.incidents.states import DONE_STATES, OPEN_STATES, State  # noqa: F401 (their home is states.py)


class JointInspection(models.Model):
    """综合查一次: one visit by several teams/departments to one place, for several items."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="joint_inspections")
    name = models.CharField(max_length=200)
    location = models.PointField(srid=4326)
    planned_at = models.DateTimeField(null=True, blank=True)
    lead_team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="led_inspections")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]


class Case(models.Model):
    class Source(models.TextChoices):
        APP = "app", "网格员App"
        HOTLINE = "hotline", "指挥中心受理"
        OPEN311 = "open311", "Open311"
        INSPECTION = "inspection", "综合查一次"

    objects = CaseQuerySet.as_manager()

    number = models.CharField(max_length=32, unique=True)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="cases")
    item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="cases")
    description = models.TextField()
    location = models.PointField(srid=4326)
    footprint = models.MultiPolygonField(srid=4326, null=True, blank=True,
                                         help_text="the area reported (a building, a farm), when "
                                                   "the case is about an area; `location` is then a "
                                                   "point inside its acting township's part")
    received = models.JSONField(help_text="the point as received: lon, lat, crs")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                 related_name="reported_cases")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.APP)
    joint_inspection = models.ForeignKey(JointInspection, null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="cases")

    # The routing decision, frozen at intake (recomputed only by an explicit re-route).
    township = models.ForeignKey(Township, null=True, on_delete=models.SET_NULL, related_name="cases")
    village = models.ForeignKey(Village, null=True, on_delete=models.SET_NULL, related_name="cases")
    grid = models.ForeignKey(Grid, null=True, on_delete=models.SET_NULL, related_name="cases")
    hub = models.ForeignKey(Township, null=True, on_delete=models.SET_NULL, related_name="hub_cases")
    team = models.ForeignKey(Team, null=True, on_delete=models.PROTECT, related_name="cases")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="cases",
                                   help_text="the item's responsible department")
    supporting = models.ManyToManyField(Department, blank=True, related_name="supported_cases",
                                        through="CaseSupport")
    mode = models.CharField(max_length=20)
    subject = models.JSONField(help_text="in whose name: code, name, kind")
    severity = models.CharField(max_length=10, default="normal")
    at_sea = models.BooleanField(default=False)
    whistle_kind = models.CharField(max_length=20)
    deadline = models.DateTimeField(null=True, blank=True,
                                    help_text="when the time limit runs out; NULL while the clock is stopped (挂起)")
    # The clock (incidents/clock.py): the rule that applied, its budget and what is used of it.
    deadline_rule = models.JSONField(default=dict, blank=True, help_text="the time limit that applied")
    clock_measure = models.CharField(max_length=10, default="calendar", help_text="working or calendar time")
    clock_budget_s = models.FloatField(default=0, help_text="the limit plus approved extensions, seconds")
    clock_used_s = models.FloatField(default=0, help_text="seconds used before the current run")
    clock_resumed_at = models.DateTimeField(null=True, blank=True, help_text="NULL: the clock is stopped")
    clock_request = models.JSONField(default=dict, blank=True,
                                     help_text="a pending suspension or extension request")
    # Which territory generation and rule version decided (GET /api/cases/{id}/replay).
    territory_generation = models.PositiveIntegerField(null=True, blank=True)
    rule_version = models.PositiveIntegerField(null=True, blank=True)
    # Near a border (enforcement/borders.py): the command centre confirms the place or picks
    # another candidate before the case counts as placed.
    to_confirm = models.BooleanField(default=False, db_index=True,
                                     help_text="near a border: waits for the command centre")
    border_candidates = models.JSONField(default=list, blank=True,
                                         help_text="the townships (or the sea) within the tolerance")
    supervision_level = models.CharField(max_length=20, blank=True, help_text="the last 督办 rung fired")
    next_rung_at = models.DateTimeField(null=True, blank=True, help_text="when the next rung fires")
    routing = models.JSONField(help_text="the router's whole answer at intake, with its trace")

    state = models.CharField(max_length=20, choices=State.choices, default=State.REPORTED)
    version = models.PositiveIntegerField(default=1, help_text="optimistic lock")
    escalated_at = models.DateTimeField(null=True, blank=True, help_text="督办")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    audit_head = models.CharField(max_length=64, blank=True, help_text="hash of the last event")
    # A phone that reports without signal sends the report again when the signal returns: the
    # key it generated once makes the second sending find this case instead of opening another.
    client_key = models.CharField(max_length=100, blank=True, default="",
                                  help_text="the reporter's idempotency key (Idempotency-Key header)")
    client_digest = models.CharField(max_length=64, blank=True, default="",
                                     help_text="sha256 of the report as first sent under client_key")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["county", "state"]), models.Index(fields=["deadline"]),
                   models.Index(fields=["next_rung_at"]),
                   models.Index(fields=["team", "state"]), models.Index(fields=["township", "state"]),
                   # The queue's free text (`icontains` is UPPER(col::text) LIKE UPPER(%q%)):
                   # trigram indexes answer it without reading every case.
                   GinIndex(OpClass(Upper("number"), name="gin_trgm_ops"), name="case_number_trgm"),
                   GinIndex(OpClass(Upper("description"), name="gin_trgm_ops"), name="case_description_trgm"),
                   # A province shares the table: OGC pages walk one county's cases by id
                   # (keyset, layers/paging.py), not every county's.
                   models.Index(fields=["county", "id"], name="case_county_id"),
                   # Map tiles and box lookups read one county's cases in a box. With only
                   # the location GiST, PostgreSQL ANDs it with a bitmap of the county's
                   # every case (100,000 in the province bench); this btree_gist index finds
                   # the county's cases in the box at once (the county filter is bigint,
                   # enforcement.access.in_counties). Cases tiles z10-z12 and small box lookups
                   # 0.47-0.76x at 20 counties (docs/scaling.md); grids showed no gain.
                   GistIndex(fields=["county", "location"], name="case_county_location")]
        constraints = [models.UniqueConstraint(fields=["reporter", "client_key"],
                                               condition=~models.Q(client_key=""),
                                               name="case_client_key_unique")]

    def __str__(self):
        return f"{self.number} {self.item.name}"

    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_open() and self.deadline is not None and self.deadline < now


class CaseSupport(models.Model):
    """1+N: a supporting department of a case and whether it has reported for duty (报到)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supports")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="supports")
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "department"], name="case_support_unique")]
        ordering = ["department__code"]


class CaseEvent(models.Model):
    """One recorded step (执法全过程记录): append-only, each carrying the previous one's hash."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_name = models.CharField(max_length=150, help_text="as it was when acting; 'system' for the clock")
    actor_role = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField()
    where = models.PointField(srid=4326, null=True, blank=True)
    changes = models.JSONField(default=dict)
    note = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")]


def attachment_path(instance, filename):
    return f"cases/{instance.case_id}/{instance.sha256[:16]}-{filename}"


class Attachment(models.Model):
    """A file of a case, or a link to one kept elsewhere (an Open311 `media_url` on a host the
    server does not fetch from: `source_url` set, no file)."""

    class Stage(models.TextChoices):
        REPORT = "report", "上报照片"
        BEFORE = "before", "处置前"
        AFTER = "after", "处置后"
        OTHER = "other", "其他"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, blank=True)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.OTHER)
    source_url = models.URLField(max_length=2000, blank=True, help_text="where the file came from, "
                                 "or, with no file, where it is")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
