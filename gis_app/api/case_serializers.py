"""How a case reads over REST: a GeoJSON Feature at its location (lists), with its events,
attachments, trace and the steps this user may take (details), and an attachment's entry.
The views that answer them are gis_app/api/cases.py and case_actions.py."""
from __future__ import annotations

import json

from rest_framework import serializers

from gis_app.api.base import CodeNameSerializer, FeatureSerializer
from gis_app.incidents.models import Case
from gis_app.incidents.workflow import allowed_steps


def _ref(obj):
    return None if obj is None else {"code": obj.code, "name": obj.name}


class CaseSerializer(FeatureSerializer):
    """A case as a GeoJSON Feature at its location."""

    item = CodeNameSerializer(read_only=True)
    township = CodeNameSerializer(read_only=True, allow_null=True)
    village = CodeNameSerializer(read_only=True, allow_null=True)
    grid = CodeNameSerializer(read_only=True, allow_null=True)
    hub = CodeNameSerializer(read_only=True, allow_null=True)
    team = CodeNameSerializer(read_only=True, allow_null=True)
    department = CodeNameSerializer(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    overdue = serializers.BooleanField(read_only=True)
    departments = serializers.SerializerMethodField()
    reporter = serializers.CharField(source="reporter.username", default=None, read_only=True)
    clock_running = serializers.SerializerMethodField()

    def get_clock_running(self, case) -> bool:
        """False while suspended (挂起): then `deadline` is null."""
        return case.clock_resumed_at is not None

    class Meta:
        model = Case
        geo_field = "geom"
        geometry_schema = (Case, "location")
        fields = ["id", "number", "state", "state_label", "version", "item", "description", "source",
                  "county_code", "township", "village", "grid", "hub", "team", "department", "mode",
                  "subject", "severity", "at_sea", "whistle_kind", "deadline", "deadline_rule", "overdue", "escalated_at",
                  "supervision_level", "clock_running", "clock_request", "to_confirm", "border_candidates",
                  "departments", "reporter", "received", "created_at", "updated_at", "closed_at"]

    county_code = serializers.CharField(source="county.code", read_only=True)

    def get_departments(self, case) -> list[dict]:
        return [{"code": s.department.code, "name": s.department.name,
                 "reported_at": s.reported_at} for s in case.supports.all()]


class CaseDetailSerializer(CaseSerializer):
    events = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    allowed_steps = serializers.SerializerMethodField()
    trace = serializers.SerializerMethodField()

    footprint = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = CaseSerializer.Meta.fields + ["footprint", "trace", "allowed_steps", "events",
                                               "attachments"]

    def get_footprint(self, case) -> dict | None:
        """The reported area of an area case (always WGS84, said here), else null."""
        if case.footprint is None:
            return None
        return {"crs": "EPSG:4326", "geometry": json.loads(case.footprint.json),
                "area_m2": case.received.get("area_m2")}

    def get_trace(self, case) -> list[str]:
        return case.routing.get("trace", [])

    def get_allowed_steps(self, case) -> list[str]:
        return allowed_steps(self.context["request"].user, case)

    def get_events(self, case) -> list[dict]:
        return [{"seq": e.seq, "kind": e.kind, "from_state": e.from_state, "to_state": e.to_state,
                 "actor": e.actor_name, "role": e.actor_role, "at": e.at,
                 "where": {"lon": e.where.x, "lat": e.where.y, "crs": "EPSG:4326"} if e.where else None,
                 "changes": e.changes, "note": e.note, "hash": e.hash} for e in case.events.all()]

    def get_attachments(self, case) -> list[dict]:
        return [attachment_dict(a, self.context["request"]) for a in case.attachments.all()]


def attachment_dict(a, request) -> dict:
    """A stored file (url: its download here) or a link kept elsewhere (url: that link)."""
    out = {"n": a.pk, "filename": a.filename, "content_type": a.content_type, "size": a.size,
           "sha256": a.sha256, "uploaded_at": a.uploaded_at, "stage": a.stage, "link": not a.file}
    if a.file:
        out["url"] = request.build_absolute_uri(f"/api/cases/{a.case_id}/attachments/{a.pk}/")
    else:
        out["url"] = a.source_url
    return out
