"""The typed shapes of the case answers built from plain dicts (OpenAPI, generated clients):
the phone inbox (gis_app/api/inbox.py) and the 考核 figures (gis_app/incidents/assessment.py);
a decision's replay is `schemas.ReplayAnswer`. Positions are WGS84 (EPSG:4326), times ISO
8601 in Asia/Shanghai, rates 0-1, scores 0-100.
"""
from __future__ import annotations

from rest_framework import serializers

from gis_app.api.schemas import PointEcho, Ref

# --- the phone inbox -------------------------------------------------------------------------


class InboxCase(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    item = Ref()
    state = serializers.CharField()
    state_label = serializers.CharField()
    deadline = serializers.DateTimeField()
    overdue = serializers.BooleanField()
    severity = serializers.CharField()
    township = Ref(allow_null=True)
    grid = Ref(allow_null=True)
    team = Ref(allow_null=True)
    description = serializers.CharField(allow_blank=True, help_text="its first 200 characters")
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    distance_m = serializers.IntegerField(allow_null=True, help_text="metres from `near` (null without it)")
    allowed_steps = serializers.ListField(child=serializers.CharField(), help_text="the steps this "
                                          "member may take now (to show buttons)")


class Inbox(serializers.Serializer):
    """`GET /api/cases/inbox/`: a team member's cases to act on, soonest deadline first."""

    crs = serializers.CharField()
    near = PointEcho(allow_null=True, help_text="where the member stands, as received and in WGS84")
    count = serializers.IntegerField()
    cases = InboxCase(many=True)


# --- 考核 ------------------------------------------------------------------------------------


class AssessmentPeriod(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(help_text="exclusive")
    label = serializers.CharField()


class UnitFigures(serializers.Serializer):
    """One township, team or department: distinct cases per indicator in the period."""

    code = serializers.CharField(allow_null=True, help_text="null: cases without such a unit")
    name = serializers.CharField()
    reported = serializers.IntegerField()
    dispatched = serializers.IntegerField()
    accepted = serializers.IntegerField()
    handled = serializers.IntegerField()
    handled_on_time = serializers.IntegerField()
    overdue = serializers.IntegerField()
    reworked = serializers.IntegerField()
    returned = serializers.IntegerField()
    rejected = serializers.IntegerField()
    escalated = serializers.IntegerField()
    closed = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    rework_rate = serializers.FloatField(allow_null=True)
    score = serializers.FloatField(allow_null=True, help_text="on-time rate in percent")


class PersonFigures(serializers.Serializer):
    """One person's own steps, with the 70/30 composite when they are dispatched staff."""

    username = serializers.CharField()
    role = serializers.CharField(allow_blank=True)
    township = serializers.CharField(allow_blank=True)
    department = serializers.CharField(allow_blank=True)
    accepted = serializers.IntegerField()
    arrived = serializers.IntegerField()
    handled = serializers.IntegerField()
    handled_on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    township_score = serializers.FloatField(allow_null=True)
    department_score = serializers.FloatField(allow_null=True)
    composite = serializers.FloatField(allow_null=True)


class AssessmentWeights(serializers.Serializer):
    township = serializers.FloatField()
    department = serializers.FloatField()


class Assessment(serializers.Serializer):
    """`GET /api/assessment/`: the 考核 tables of a period."""

    period = AssessmentPeriod()
    township = UnitFigures(many=True)
    team = UnitFigures(many=True)
    department = UnitFigures(many=True)
    person = PersonFigures(many=True)
    weights = AssessmentWeights()
