"""The territory: county > township > village > grid, protected-area zones, 1+X hub areas.

Everything is stored in WGS84 (EPSG:4326). A county's geometry is its whole jurisdiction
(sea included); townships hold land only, so a point in the county but on no township is
at sea. The territory knows nothing of cases, teams or maps (DESIGN §3): protected-area
authorities are department *codes*, resolved by the enforcement layer above.
"""
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField

from boundaries.querysets import GridQuerySet, HubAreaQuerySet


class Unit(models.Model):
    """Fields every administrative unit shares."""

    code = models.CharField(max_length=15, unique=True)
    name = models.CharField(max_length=100)
    geom = models.MultiPolygonField(srid=4326)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class County(Unit):
    """县/区: GB/T 2260 six-digit code; `geom` is the jurisdiction including sea."""

    bundle_name = models.CharField(max_length=200, blank=True)
    bundle_version = models.CharField(max_length=50, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta(Unit.Meta):
        verbose_name_plural = "counties"


class CountyPart(models.Model):
    """ST_Subdivide pieces of a county's jurisdiction: point lookups on a county with its sea
    (thousands of vertices) hit small indexed pieces instead of one huge polygon."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="parts")
    geom = models.PolygonField(srid=4326)


class Township(Unit):
    """乡/镇/街道: nine-digit statistical code; land only."""

    class Kind(models.TextChoices):
        TOWN = "town", "镇"
        TOWNSHIP = "township", "乡"
        SUBDISTRICT = "subdistrict", "街道"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TOWN)
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="townships")


class TownshipPart(models.Model):
    """ST_Subdivide pieces of a township's land, for the nearest township to a point outside
    every county: the geodesic distance to a real township outline (hundreds to thousands of
    vertices) costs ~1 ms, to the few nearest small pieces a fraction of that. Derived data,
    like CountyPart, refreshed with it (`boundaries.subdivide.refresh_county_parts`)."""

    township = models.ForeignKey(Township, on_delete=models.CASCADE, related_name="parts")
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="township_parts")
    geom = models.PolygonField(srid=4326)


class Village(Unit):
    """村/社区: twelve-digit code."""

    class Kind(models.TextChoices):
        VILLAGE = "village", "村"
        COMMUNITY = "community", "社区"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.VILLAGE)
    township = models.ForeignKey(Township, on_delete=models.CASCADE, related_name="villages")
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="villages")


class Grid(Unit):
    """网格: fifteen-digit code (village prefix + three digits), the smallest management cell."""

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="grids")
    township = models.ForeignKey(Township, on_delete=models.CASCADE, related_name="grids")
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="grids")

    objects = GridQuerySet.as_manager()

    class Meta(Unit.Meta):
        # A province shares the table: OGC pages of one county in code order (keyset,
        # layers/paging.py) read that county's codes in order, not every county's.
        indexes = [models.Index(fields=["county", "code"], name="grid_county_code")]


class ProtectedArea(models.Model):
    """One zone of a protected area (nature reserve, forest park, water source, red line).

    Zones of one area share its code; `authority_code` is the department that must be told
    of anything inside the zone.
    """

    class Kind(models.TextChoices):
        NATURE_RESERVE = "nature_reserve", "自然保护区"
        FOREST_PARK = "forest_park", "森林公园"
        WATER_SOURCE = "water_source", "水源保护区"
        ECOLOGICAL_REDLINE = "ecological_redline", "生态红线"

    class Zone(models.TextChoices):
        CORE = "core", "核心区"
        BUFFER = "buffer", "缓冲区"
        EXPERIMENTAL = "experimental", "实验区"
        GENERAL = "general", "一般控制区"   # 国家公园、自然保护地的一般控制区

    class Level(models.TextChoices):
        NATIONAL = "national", "国家级"
        PROVINCIAL = "provincial", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "县级"

    code = models.CharField(max_length=30)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    level = models.CharField(max_length=20, choices=Level.choices)
    zone = models.CharField(max_length=20, choices=Zone.choices)
    authority_code = models.CharField(max_length=30)
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="protected_areas")
    geom = models.MultiPolygonField(srid=4326)

    class Meta:
        ordering = ["code", "zone"]
        constraints = [models.UniqueConstraint(fields=["county", "code", "zone"],
                                               name="protected_area_zone_unique")]

    def __str__(self):
        return f"{self.name} {self.get_zone_display()} ({self.code})"


class HubArea(models.Model):
    """1+X 片区兼管: the hub township's team also serves the covered townships."""

    hub = models.OneToOneField(Township, on_delete=models.CASCADE, related_name="hub_area")
    covered = models.ManyToManyField(Township, related_name="covering_hubs")
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="hub_areas")

    objects = HubAreaQuerySet.as_manager()

    class Meta:
        ordering = ["hub__code"]

    def __str__(self):
        return f"1+X {self.hub.name}"


class NetworkEdge(models.Model):
    """One noded piece of a county's road or ferry network (lines must meet at their ends).

    `source`/`target` are vertex numbers shared by edges whose end points coincide, filled
    by `boundaries.network.build_topology` for pgRouting; `length_m` is geodesic metres and
    the cost of an edge is its length at `speed_kmh`. A `oneway` edge runs start -> end only.
    """

    class Kind(models.TextChoices):
        ROAD = "road", "道路"
        FERRY = "ferry", "轮渡"

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="network_edges")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    geom = models.LineStringField(srid=4326)
    speed_kmh = models.FloatField()
    length_m = models.FloatField()
    oneway = models.BooleanField(default=False)
    source = models.BigIntegerField(null=True, blank=True)
    target = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["county", "source"]), models.Index(fields=["county", "target"])]
        constraints = [models.CheckConstraint(condition=models.Q(speed_kmh__gt=0),
                                              name="network_edge_speed_positive")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk} ({self.speed_kmh:g} km/h)"


class GridBranch(models.Model):
    """A grid whose interior (or `region` of it) belongs to one branch of the hierarchy and to
    nothing else there.

    A row says: some CountyPart of `county` covers the whole grid and no part of another county
    reaches into its interior; `township` (of that county) and `village` (of that township)
    cover it and no other township of the county nor village of the township reaches into it;
    every protected zone of the county either covers the whole grid (`zone_ids`, ordered by
    code and zone) or stays out of its interior (`zone_ids` is null when some zone boundary
    crosses the grid). So for a point strictly inside the grid and in no other grid, these are
    exactly the units a level-by-level search finds: the router reads them in one lookup.

    Derived data, like CountyPart: built per county by
    `boundaries.branches.refresh_grid_branches` (the bundle importer calls it), and
    deleted by database triggers (migration 0003) whenever a unit it depends on changes, so a
    row may be missing (the router then searches level by level) but is never stale.
    """

    grid = models.OneToOneField(Grid, on_delete=models.CASCADE, primary_key=True,
                                related_name="branch")
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+")
    township = models.ForeignKey(Township, on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="+")
    zone_ids = ArrayField(models.BigIntegerField(), null=True, blank=True)
    # Null: the whole grid is settled as above. Otherwise only this part of it is (real
    # bundles: the village or township border cuts into the grid, a neighbour overlaps it by a
    # sliver): the grid minus every place where another unit reaches in, outside its village,
    # township or county, shrunk by ~0.1 mm; points strictly inside it take the one lookup,
    # the rest of the grid is searched level by level. `zone_ids` then describe the region.
    region = models.MultiPolygonField(srid=4326, null=True, blank=True, spatial_index=False)

    def __str__(self):
        return f"branch of grid {self.grid_id}"


class Place(models.Model):
    """A named place of the bundle's optional `places` layer (landmarks, roads, enterprises):
    a point or a line the hotline can find by name."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="places")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, blank=True)
    geom = models.GeometryField(srid=4326)

    class Meta:
        ordering = ["county_id", "code"]
        constraints = [models.UniqueConstraint(fields=["county", "code"], name="place_code_unique")]


class PlaceName(models.Model):
    """The hotline's search index (derived, like CountyPart): one row per name of a township,
    village, grid or place, with its pinyin initials and a point inside it ready to route.
    Built per county by `boundaries.places.refresh_place_names` (the importer calls it)."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=10)  # township | village | grid | place
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, blank=True)
    initials = models.CharField(max_length=200, help_text="pinyin initials, e.g. asc for 安上村")
    pinyin = models.CharField(max_length=800, help_text="full pinyin without tones or spaces")
    point = models.PointField(srid=4326)

    class Meta:
        ordering = ["county_id", "level", "code"]


class TerritoryGeneration(models.Model):
    """Each import of a county's bundle is a generation (numbered from 1 per county), so a
    case can say which version of the boundaries routed it (MapIt's generations, per county)."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="generations")
    number = models.PositiveIntegerField()
    bundle_name = models.CharField(max_length=200, blank=True)
    bundle_version = models.CharField(max_length=50, blank=True)
    imported_at = models.DateTimeField()
    # Departments, teams and 1+X hubs as this import had them (codes, not row ids): the
    # archived router (enforcement/archive_locate.py) reads them with the archived units.
    organisation = models.JSONField(null=True, blank=True)
    # Set by `prune_generations`: its units and organisation are gone from the archive.
    pruned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["county_id", "number"]
        constraints = [models.UniqueConstraint(fields=["county", "number"], name="generation_unique")]


class ArchivedUnit(models.Model):
    """One version of a county, township, village or grid as the generations
    `generation_low`..`generation_high` of its county had it (MapIt's areas): an import that
    leaves a unit unchanged raises `generation_high` instead of copying it, a changed unit
    gets a new row. Written by the importer (gis_app/bundles/archive.py), read only by the
    archived router (replay, `?at=`); the live tables stay the router's fast path."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=10)  # county | township | village | grid
    code = models.CharField(max_length=15)
    parent_code = models.CharField(max_length=15, blank=True, help_text="township of a village, village of a grid")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, blank=True)
    geom = models.MultiPolygonField(srid=4326)
    generation_low = models.PositiveIntegerField()
    generation_high = models.PositiveIntegerField()

    class Meta:
        ordering = ["county_id", "level", "code", "generation_low"]
        indexes = [models.Index(fields=["county", "level", "generation_high"])]


class ArchivedZone(models.Model):
    """One version of a protected-area zone over generations `generation_low`..`high` (as
    ArchivedUnit)."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=30)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=30)
    level = models.CharField(max_length=20)
    zone = models.CharField(max_length=20)
    authority_code = models.CharField(max_length=30)
    geom = models.MultiPolygonField(srid=4326)
    generation_low = models.PositiveIntegerField()
    generation_high = models.PositiveIntegerField()

    class Meta:
        ordering = ["county_id", "code", "zone", "generation_low"]
        indexes = [models.Index(fields=["county", "generation_high"])]
