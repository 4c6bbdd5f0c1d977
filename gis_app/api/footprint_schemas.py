"""The typed shapes of `POST /api/footprint` (OpenAPI, generated clients): the body, and the
answer `gis_app/api/footprint.py` builds from `FootprintCheck.as_dict()`
(gis_app/enforcement/footprint.py). Areas are square metres on the WGS84 ellipsoid; shares are
of the footprint's area (0-1).
"""
from __future__ import annotations

from rest_framework import serializers

from boundaries.crs import ACCEPTED
from gis_app.api.schemas import AreaGeometry, Position, Ref, RouteAnswer, SeverityRuleApplied


class FootprintBody(serializers.Serializer):
    """`POST /api/footprint` as JSON (or multipart: `file` GeoJSON/KML/zipped Shapefile/GeoPackage)."""

    geometry = AreaGeometry(help_text="GeoJSON Polygon or MultiPolygon in `crs`")
    crs = serializers.CharField(required=False, help_text=f"default EPSG:4326; {ACCEPTED}")
    item = serializers.CharField(required=False, help_text="route the area for this item")


class Overlap(serializers.Serializer):
    """A unit the footprint overlaps, and by how much."""

    code = serializers.CharField()
    name = serializers.CharField()
    overlap_m2 = serializers.FloatField(help_text="square metres of the footprint inside the unit")
    share = serializers.FloatField(help_text="that area's share of the footprint (0-1)")


class ZoneOverlap(Overlap):
    """A protected-area zone the footprint overlaps, with the department to notify."""

    kind = serializers.CharField()
    level = serializers.CharField()
    zone = serializers.CharField(help_text="core, buffer, experimental, ...")
    authority = Ref()


class FootprintDecision(RouteAnswer):
    """The router's answer at the acting point, with the footprint's zones, severity and every
    department to notify (the item's and each touched zone's authority)."""

    protected_areas = ZoneOverlap(many=True)
    acting_township = Overlap(allow_null=True, help_text="the township with the largest share")
    split = serializers.BooleanField(help_text="several townships share the footprint")


class FootprintAnswer(serializers.Serializer):
    """`POST /api/footprint`: which units and protected zones an area overlaps, and who acts."""

    area_m2 = serializers.FloatField()
    area_ha = serializers.FloatField()
    counties = Overlap(many=True)
    townships = Overlap(many=True)
    villages = Overlap(many=True)
    grids = Overlap(many=True)
    protected_areas = ZoneOverlap(many=True)
    severity = serializers.ChoiceField(choices=["normal", "elevated", "high"], help_text=(
        "the highest of the touched zones' severity under the county's `severity` table (default "
        "core = high, buffer = elevated, else normal)"))
    severity_rule = SeverityRuleApplied()
    split = serializers.BooleanField(help_text="several townships share the footprint")
    decision = FootprintDecision(allow_null=True, help_text="with `item`: who acts (else null)")
    trace = serializers.ListField(child=serializers.CharField())
    geometry = AreaGeometry(help_text="the footprint as read, WGS84 (to draw an uploaded file)")
    acting_point = Position(help_text="a point inside the acting township's part (WGS84)")
    crs = serializers.CharField(help_text="of the answer: EPSG:4326")
    received_crs = serializers.CharField()
