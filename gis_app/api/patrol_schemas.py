"""The typed shapes of the patrol endpoints' bodies and answers (OpenAPI, generated clients)."""
from __future__ import annotations

from rest_framework import serializers

from gis_app.api.schemas import Ref


class TrackUpload(serializers.Serializer):
    """`POST /api/tracks/` (multipart)."""

    file = serializers.FileField(help_text="GPX, GeoJSON or CSV time,lon,lat[,accuracy]")
    team = serializers.CharField(help_text="the code of the team whose track this is")
    patrol = serializers.IntegerField(required=False, help_text="patrol plan id of that team")
    crs = serializers.CharField(required=False, help_text="CRS of the coordinates (GCJ02 for most "
                                                          "phone apps in China); default EPSG:4326")
    county = serializers.CharField(required=False, help_text="when you see the team code in several")


class Period(serializers.Serializer):
    # `from` is a Python keyword: the field is declared under its JSON name below.
    to = serializers.DateTimeField()
    timezone = serializers.CharField()


Period._declared_fields["from"] = serializers.DateTimeField()


class CoverageGrid(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    township = serializers.CharField()
    patrolled = serializers.BooleanField()
    first_visit = serializers.DateTimeField(allow_null=True)
    last_visit = serializers.DateTimeField(allow_null=True)
    visits = serializers.IntegerField()
    seconds_inside = serializers.FloatField()


class CoverageTownship(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    grids = serializers.IntegerField()
    patrolled = serializers.IntegerField()
    unpatrolled = serializers.IntegerField()
    share_patrolled = serializers.FloatField()
    seconds_inside = serializers.FloatField()


class CoverageTeam(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    tracks = serializers.IntegerField()
    length_m = serializers.FloatField()
    seconds_on_patrol = serializers.FloatField()
    grids_patrolled = serializers.IntegerField()


class CoverageRules(serializers.Serializer):
    line_gap_seconds = serializers.FloatField()
    line_gap_metres = serializers.FloatField()


class CoverageCounts(serializers.Serializer):
    grids = serializers.IntegerField()
    patrolled = serializers.IntegerField()
    unpatrolled = serializers.IntegerField()


class Coverage(serializers.Serializer):
    """`GET /api/coverage` as JSON (csv: the grid rows; geojson: grids as features)."""

    county = Ref()
    period = Period()
    team = serializers.CharField(allow_null=True)
    township = serializers.CharField(allow_null=True)
    rules = CoverageRules()
    counts = CoverageCounts()
    crs = serializers.CharField()
    grids = CoverageGrid(many=True)
    townships = CoverageTownship(many=True)
    teams = CoverageTeam(many=True)
    unpatrolled = serializers.ListField(child=serializers.CharField())


class PlanBody(serializers.Serializer):
    """`POST /api/patrol-plans/`."""

    team = serializers.CharField()
    name = serializers.CharField()
    route = serializers.JSONField(required=False, help_text="GeoJSON (Multi)LineString in `crs`")
    area = serializers.JSONField(required=False, help_text="GeoJSON (Multi)Polygon in `crs`")
    crs = serializers.CharField(required=False)
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=7), required=False)
    start_time = serializers.TimeField(required=False)
    end_time = serializers.TimeField(required=False)
    valid_from = serializers.DateField(required=False)
    valid_to = serializers.DateField(required=False)


class PlanRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    team = serializers.CharField()


class Window(serializers.Serializer):
    to = serializers.DateTimeField()


Window._declared_fields["from"] = serializers.DateTimeField()


class ComparisonGrids(serializers.Serializer):
    planned = serializers.IntegerField()
    patrolled = serializers.IntegerField()
    missed = serializers.ListField(child=serializers.CharField())
    share_patrolled = serializers.FloatField(allow_null=True)


class Comparison(serializers.Serializer):
    plan = PlanRef()
    period = Window()
    scheduled_windows = Window(many=True)
    scheduled_seconds = serializers.FloatField()
    tracks = serializers.IntegerField()
    seconds_on_patrol = serializers.FloatField()
    tolerance_m = serializers.FloatField(allow_null=True)
    route = serializers.JSONField(allow_null=True)
    grids = ComparisonGrids()
    crs = serializers.CharField()


class HubCoverage(serializers.Serializer):
    """`GET /api/hub-coverage` as JSON."""

    county = Ref()
    parameters = serializers.DictField(child=serializers.FloatField())
    network = serializers.JSONField()
    problem = serializers.CharField(allow_null=True)
    hubs = serializers.ListField(child=serializers.JSONField(), help_text="per hub: its team, base "
                                 "and every grid it covers with distance and minutes")
    crs = serializers.CharField()


class PointGeometry(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Point"])
    coordinates = serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)


class LivePosition(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    geometry = PointGeometry()
    properties = serializers.DictField(help_text="team, time, age_minutes, stale, ...")


class LivePositions(serializers.Serializer):
    """`GET /api/live-positions`: a GeoJSON FeatureCollection in WGS84."""

    type = serializers.ChoiceField(choices=["FeatureCollection"])
    crs = serializers.JSONField()
    county = Ref()
    stale_after_minutes = serializers.FloatField()
    features = LivePosition(many=True)
