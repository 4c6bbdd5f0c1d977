"""Patrols: planned routes and areas, uploaded GPS tracks and their fixes (all WGS84).

A Track is one upload for one team: its cleaned fixes (Fix rows) and the line derived from
them, broken wherever consecutive fixes are more than PATROL_GAP_SECONDS or
PATROL_GAP_METRES apart; the stored line is what maps draw. The same line is also kept as
time-carrying pieces (TrackPiece), derived at upload under the gap rule then in force
(Track.line_gap_seconds/metres): coverage reads them when that is the rule it is asked for,
and builds the line from the fixes otherwise (coverage.py, segments.py).
"""
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField

from gis_app.enforcement.models import Team


class PatrolPlan(models.Model):
    """Who should patrol where and when: a route (lines) and/or an area (polygons) for a team.

    Schedule: ISO weekdays (1 = Monday .. 7 = Sunday; empty = every day), an optional daily
    time window in local time (TIME_ZONE), and optional first and last valid dates.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="patrol_plans")
    name = models.CharField(max_length=200)
    route = models.MultiLineStringField(srid=4326, null=True, blank=True)
    area = models.MultiPolygonField(srid=4326, null=True, blank=True)
    weekdays = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team_id", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(route__isnull=False) | models.Q(area__isnull=False),
                                   name="patrol_plan_route_or_area"),
            models.CheckConstraint(condition=models.Q(start_time__isnull=True, end_time__isnull=True)
                                   | models.Q(start_time__isnull=False, end_time__isnull=False),
                                   name="patrol_plan_window_both_ends"),
        ]

    def __str__(self):
        return f"{self.name} ({self.team.code})"


class Track(models.Model):
    """One uploaded GPS log of a team, cleaned; `report` says what was dropped and why."""

    class Format(models.TextChoices):
        GPX = "gpx", "GPX"
        GEOJSON = "geojson", "GeoJSON"
        CSV = "csv", "CSV"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="tracks")
    plan = models.ForeignKey(PatrolPlan, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="tracks")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255, blank=True)
    source_format = models.CharField(max_length=10, choices=Format.choices)
    crs = models.CharField(max_length=20, help_text="CRS the upload was in (stored: EPSG:4326)")
    geom = models.MultiLineStringField(srid=4326, null=True, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    fixes_received = models.PositiveIntegerField()
    fixes_kept = models.PositiveIntegerField()
    fixes_dropped = models.PositiveIntegerField()
    length_m = models.FloatField(default=0)
    # The gap rule its TrackPiece rows were cut by; NULL: none stored (tracks from before
    # they existed, or written by SQL), so coverage builds its line from the fixes.
    line_gap_seconds = models.FloatField(null=True, blank=True)
    line_gap_metres = models.FloatField(null=True, blank=True)
    report = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at", "id"]
        indexes = [models.Index(fields=["team", "ended_at"]),
                   models.Index(fields=["started_at", "ended_at"])]

    def __str__(self):
        return f"track {self.pk} of {self.team.code} from {self.started_at:%Y-%m-%d %H:%M}"


class Fix(models.Model):
    """One kept GPS fix: where a team's phone was at `time` (WGS84), `accuracy` in metres."""

    # The key is (track, time), and it is the table's only index: every read of fixes goes by
    # track and time (coverage, plans, live positions, duplicates, layers), a track never has
    # two fixes at one time (ingest.clean drops them), and each index is paid on every upload.
    # A surrogate id with its own index cost a third of a 100,000-fix COPY and nothing read
    # by it (migration 0006); before that, a GiST index and a BRIN on time nothing used went
    # the same way. The track reference is checked once per statement by triggers (migration
    # 0003), not by a per-row foreign key check.
    pk = models.CompositePrimaryKey("track_id", "time")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="fixes", db_index=False,
                              db_constraint=False)
    time = models.DateTimeField()
    geom = models.PointField(srid=4326, spatial_index=False)
    accuracy = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["track_id", "time"]
        verbose_name_plural = "fixes"


class LineStringMField(models.LineStringField):
    """A LINESTRING M column (PostGIS `geometry(LineStringM, 4326)`): GeoDjango has Z but no M.
    Read and written in SQL only (segments.py, pieces.py)."""

    geom_type = "LINESTRINGM"


class TrackPiece(models.Model):
    """A stretch of at most segments.PIECE_SEGMENTS consecutive joined fixes of a track (never
    across a gap), as a line whose M values are the fixes' times (epoch seconds): where a
    point falls along it says when it was walked. Derived once at upload (pieces.py) so
    coverage does not rebuild lines from fixes on every query.

    `simple`: the line neither crosses, retraces nor closes on itself and never stands still
    (segments.SIMPLE), so every point on it has one time; coverage clips such a piece to a
    grid in one go, and any other segment by segment."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="pieces", db_index=False)
    t0 = models.DateTimeField()
    t1 = models.DateTimeField()
    line = LineStringMField(srid=4326, spatial_index=False)
    simple = models.BooleanField()
    # Geodesic metres along the piece (WGS84 ellipsoid), measured at upload: coverage adds
    # these up per team instead of measuring every piece again.
    length_m = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["track_id", "t0"]
        indexes = [models.Index(fields=["track", "t0"])]
