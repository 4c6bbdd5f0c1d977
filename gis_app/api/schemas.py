"""The typed shapes of request bodies and answers, for the OpenAPI schema (and so for
generated clients): every body a client sends and every JSON answer it reads has a name and
its fields here. Views keep building their answers from the domain's `as_dict`s; these
serializers describe them (tests compare the two). The one error shape is `Error`.
"""
from __future__ import annotations

from rest_framework import serializers

from boundaries.crs import ACCEPTED
from boundaries.places import LEVELS, MATCH_NAMES


class Error(serializers.Serializer):
    """Every refusal of the REST API: 4xx with this body."""

    error = serializers.CharField(help_text="machine-readable code, e.g. bad_parameter, not_found")
    detail = serializers.CharField(help_text="what is wrong, for people")
    parameter = serializers.CharField(required=False, help_text="the parameter at fault, when one is")


class Ref(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(allow_null=True)


class UnitRef(Ref):
    kind = serializers.CharField(required=False)


class TeamRef(Ref):
    kind = serializers.CharField()


class SubjectRef(Ref):
    type = serializers.ChoiceField(choices=["township", "department"])


class ItemRef(Ref):
    whistle_kind = serializers.CharField()


class AreaGeometry(serializers.Serializer):
    """A GeoJSON Polygon or MultiPolygon (an area: a footprint, an upload drawn back)."""

    type = serializers.ChoiceField(choices=["Polygon", "MultiPolygon"])
    coordinates = serializers.ListField(child=serializers.JSONField(), help_text="GeoJSON rings: "
                                        "[[[lon, lat], ...]] (Polygon) or a list of those (MultiPolygon)")


class Position(serializers.Serializer):
    lon = serializers.FloatField()
    lat = serializers.FloatField()


class LonLat(Position):
    crs = serializers.CharField()


class PointEcho(serializers.Serializer):
    """The point as received (in its CRS) and as stored (WGS84)."""

    received = LonLat()
    stored = LonLat()


class ProtectedAreaRef(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    level = serializers.CharField()
    zone = serializers.CharField()
    authority = Ref()


class SeverityRuleApplied(serializers.Serializer):
    """Which row of the county's `severity` table decided (`source` table), or the default
    for the deciding zone (`default`), or no zone (`none`)."""

    severity = serializers.ChoiceField(choices=["normal", "elevated", "high"])
    source = serializers.ChoiceField(choices=["table", "default", "none"])
    row = serializers.IntegerField(allow_null=True)
    zone_code = serializers.CharField(allow_null=True)
    zone = serializers.CharField(allow_null=True)


class DeadlineRuleApplied(serializers.Serializer):
    """Which row of the county's `deadlines` table set the time limit (`source` table), or the
    whistle kind's default (`default`); `budget_seconds` of working or calendar time."""

    source = serializers.ChoiceField(choices=["table", "default"])
    row = serializers.IntegerField(allow_null=True)
    limit = serializers.FloatField()
    unit = serializers.ChoiceField(choices=["working_hours", "working_days", "calendar_hours"])
    measure = serializers.CharField()
    budget_seconds = serializers.FloatField()
    text = serializers.CharField()
    key = serializers.CharField()


class LocateAnswer(serializers.Serializer):
    """`GET /api/locate`: the units, zones and hub at a point."""

    county = Ref()
    township = UnitRef(allow_null=True)
    village = UnitRef(allow_null=True)
    grid = Ref(allow_null=True)
    hub = Ref(allow_null=True)
    at_sea = serializers.BooleanField()
    severity = serializers.ChoiceField(choices=["normal", "elevated", "high"])
    severity_rule = SeverityRuleApplied()
    protected_areas = ProtectedAreaRef(many=True)
    trace = serializers.ListField(child=serializers.CharField())
    query = PointEcho()


class AsOf(serializers.Serializer):
    """Which archived generation and rule version answered a question `at` a past day."""

    at = serializers.DateField()
    territory_generation = serializers.IntegerField()
    rule_version = serializers.IntegerField()


class RouteAnswer(LocateAnswer):
    """`GET /api/route`: who acts at a point for an item, in whose name, who is told, by when."""

    team = TeamRef(allow_null=True)
    subject = SubjectRef(allow_null=True)
    mode = serializers.ChoiceField(choices=["township", "entrusted", "county", "whistle", "marine"])
    departments = Ref(many=True)
    deadline = serializers.DateTimeField()
    deadline_rule = DeadlineRuleApplied()
    item = ItemRef()
    as_of = AsOf(required=False, help_text="only with `at`: the generation and rule version used")


class BatchPointIn(serializers.Serializer):
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    item = serializers.CharField(required=False, help_text="default: the request's `item`")
    id = serializers.CharField(required=False, help_text="echoed in the answer (string or number)")


class BatchBody(serializers.Serializer):
    """`POST /api/route/batch` as JSON (or multipart: `file` CSV lon,lat[,item][,id], `crs`, `item`)."""

    crs = serializers.CharField(required=False, help_text=f"CRS of every point: {ACCEPTED}")
    item = serializers.CharField(required=False)
    points = BatchPointIn(many=True)


class BatchResult(RouteAnswer):
    """One point of a batch: the route answer (status 200) or the error a single request for
    that point would get (its fields: `error`, `detail`, `parameter`)."""

    index = serializers.IntegerField()
    id = serializers.CharField(allow_null=True)
    status = serializers.IntegerField()
    error = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)
    parameter = serializers.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name not in ("index", "id", "status"):
                field.required = False


class BatchAnswer(serializers.Serializer):
    count = serializers.IntegerField()
    max_points = serializers.IntegerField()
    received_crs = serializers.CharField()
    crs = serializers.CharField()
    results = BatchResult(many=True)


# --- cases -----------------------------------------------------------------------------------

class CaseIntake(serializers.Serializer):
    """`POST /api/cases/`: report a problem at a point (or an area: `footprint`)."""

    lon = serializers.FloatField(required=False, help_text="x in `crs`; required unless `footprint`")
    lat = serializers.FloatField(required=False, help_text="y in `crs`; required unless `footprint`")
    crs = serializers.CharField(required=False, help_text=f"default EPSG:4326; {ACCEPTED}")
    item = serializers.CharField(help_text="catalogue item code of the county")
    description = serializers.CharField(required=False, allow_blank=True)
    footprint = AreaGeometry(required=False, help_text="GeoJSON (Multi)Polygon in `crs`")


class StepBody(serializers.Serializer):
    """`POST /api/cases/{id}/{step}/`: one step of the loop."""

    version = serializers.IntegerField(required=False, help_text="the case version you acted on "
                                                                 "(409 when it has moved on)")
    note = serializers.CharField(required=False, allow_blank=True)
    team = serializers.CharField(required=False, help_text="transfer: the team code to hand over to")
    lon = serializers.FloatField(required=False, help_text="where the officer is (x in `crs`)")
    lat = serializers.FloatField(required=False)
    crs = serializers.CharField(required=False)


class AttachmentUpload(serializers.Serializer):
    file = serializers.FileField(help_text="JPEG, PNG, PDF or MP4")


class Attachment(serializers.Serializer):
    n = serializers.IntegerField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.URLField()


class StatisticsRow(serializers.Serializer):
    key = serializers.CharField(allow_null=True, help_text="the grouping value; the JSON member "
                                "is named after `group_by` (township, team, item, ...)")
    name = serializers.CharField(allow_null=True)
    total = serializers.IntegerField()
    open = serializers.IntegerField()
    finished = serializers.IntegerField()
    on_time = serializers.IntegerField()
    overdue = serializers.IntegerField()
    escalated = serializers.IntegerField()
    rejected = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)


class Statistics(serializers.Serializer):
    group_by = serializers.CharField()
    rows = StatisticsRow(many=True)
    generated_at = serializers.DateTimeField()


class JointInspectionBody(serializers.Serializer):
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    crs = serializers.CharField(required=False)
    items = serializers.ListField(child=serializers.CharField(), help_text="at least two item codes")
    name = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    planned_at = serializers.DateTimeField(required=False)


class JointInspectionCase(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    item = serializers.CharField()
    team = Ref(allow_null=True)
    mode = serializers.CharField()
    subject = serializers.JSONField()


class JointInspectionAnswer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    lead_team = Ref(allow_null=True)
    location = LonLat()
    planned_at = serializers.DateTimeField(allow_null=True)
    cases = JointInspectionCase(many=True)


class PlaceCandidate(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=list(LEVELS))
    kind = serializers.CharField(allow_blank=True, help_text="the unit's or place's kind")
    county = Ref()
    lon = serializers.FloatField(help_text="a point inside it, WGS84 (ready for /api/route)")
    lat = serializers.FloatField()
    match = serializers.ChoiceField(choices=list(MATCH_NAMES.values()), help_text="how the text matched")
    similarity = serializers.FloatField()




class ReplayDifference(serializers.Serializer):
    field = serializers.CharField(help_text="county, township, ..., team, subject, mode, severity, "
                                            "at_sea, departments, protected_areas or decision")
    then = serializers.JSONField(allow_null=True)
    today = serializers.JSONField(allow_null=True)


class ReplayAsMade(serializers.Serializer):
    at = serializers.DateTimeField(help_text="when the case was opened")
    territory_generation = serializers.IntegerField(allow_null=True)
    rule_version = serializers.IntegerField(allow_null=True)
    source = serializers.ChoiceField(choices=["archive", "record"], help_text="archive: the router "
                                     "re-run in that generation and rule version; record: not archived "
                                     "any more (pruned), the answer recorded on the case")
    answer = serializers.JSONField(allow_null=True, help_text="a route answer (RouteAnswer)")
    refused = serializers.JSONField(allow_null=True, help_text="the re-run's refusal (Error), if any")
    recorded = serializers.JSONField(help_text="the answer recorded on the case at intake")
    recorded_differences = ReplayDifference(many=True, allow_null=True,
                                            help_text="where the re-run differs from the record")


class ReplayToday(serializers.Serializer):
    at = serializers.DateTimeField()
    territory_generation = serializers.IntegerField(allow_null=True)
    rule_version = serializers.IntegerField(allow_null=True)
    answer = serializers.JSONField(allow_null=True, help_text="a route answer (RouteAnswer)")
    refused = serializers.JSONField(allow_null=True, help_text="today's refusal (Error), if any")


class ReplayAnswer(serializers.Serializer):
    """`GET /api/cases/{id}/replay`: the decision in the case's own generation and rule version
    and today's, and what differs."""

    case = serializers.CharField()
    point = LonLat()
    as_made = ReplayAsMade()
    today = ReplayToday()
    same = serializers.BooleanField()
    differences = ReplayDifference(many=True)
class PlaceSearch(serializers.Serializer):
    """`GET /api/places`: candidates for a place a caller names, best first."""

    query = serializers.CharField()
    crs = serializers.CharField()
    count = serializers.IntegerField()
    results = PlaceCandidate(many=True)
