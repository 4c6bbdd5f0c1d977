"""Territory read API: counties, townships, villages, grids, protected areas, 1+X hub areas.

GeoJSON, WGS84 unless `crs` asks otherwise (see gis_app/api/geometry.py). Parent units come
as `<level>_code` / `<level>_name` properties (flat, so GIS clients can use them), read
with F() annotations instead of select_related so a parent's big polygon is never loaded.
Detail URLs take the unit's code, unique per level: /api/townships/330922100/.
"""
from __future__ import annotations

from django.db.models import F, OuterRef, Prefetch, Subquery
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response

from boundaries.models import County, Grid, HubArea, ProtectedArea, Township, Village
from gis_app.api import filters
from gis_app.api.access import restrict, visible_counties
from gis_app.api.base import PAGE, CodeNameSerializer, FeatureSerializer, FeatureViewSet
from gis_app.web.errors import BadParameter, NotFound
from gis_app.api.filters import BBOX, BBOX_CRS, COUNTY, Q as Q_PARAM, TOWNSHIP, VILLAGE, kind_param
from gis_app.api.geometry import OUTPUT_PARAMS, SIMPLIFIED, finish
from gis_app.web.params import openapi, parse_code
from gis_app.enforcement.models import Department
from gis_app.replica import StaleReadsView


def _parents(queryset, *levels):
    """Annotate `<level>_code` and `<level>_name` for each parent level (no geometry loaded)."""
    names = {}
    for level in levels:
        names[f"{level}_code"] = F(f"{level}__code")
        names[f"{level}_name"] = F(f"{level}__name")
    return queryset.annotate(**names)


def _schema(params, description, **extra):
    return extend_schema(parameters=openapi(params), description=description, **extra)


class _LevelViewSet(StaleReadsView, FeatureViewSet):
    """A level of the territory under the county (townships, villages, grids), read alike: the
    user's counties only, parents as flat `<level>_code` / `<level>_name` (`parents`, nearest
    first), lists narrowed by county, then by each parent filter in `narrowed_by`, box, `kind`
    (when the level has `kinds`) and name."""

    parents: tuple[str, ...] = ("county",)
    narrowed_by: tuple = ()
    kinds: list[str] | None = None

    def scoped_queryset(self):
        queryset = restrict(self.queryset.model.objects.defer("geom"), self.request.user)
        return _parents(queryset, *self.parents).order_by("code")

    def filter_list(self, queryset):
        request = self.request
        queryset = filters.county(request, queryset)
        for narrow in self.narrowed_by:
            queryset = narrow(request, queryset)
        queryset = filters.bbox(request, queryset, self.geometry_output.crs)
        if self.kinds is not None:
            queryset = filters.choice(request, queryset, "kind", self.kinds)
        return filters.name_contains(request, queryset)


# --- counties -------------------------------------------------------------------------------

class CountySerializer(FeatureSerializer):
    """A county (GB/T 2260 code); geometry is the whole jurisdiction, sea included."""

    id = serializers.CharField(source="code", read_only=True)

    class Meta:
        model = County
        geo_field = "geom"
        id_field = "id"
        fields = ("id", "code", "name", "bundle_name", "bundle_version", "imported_at", "geom")


COUNTY_LIST = (*OUTPUT_PARAMS, BBOX, BBOX_CRS, Q_PARAM, *PAGE)


@extend_schema_view(
    list=_schema(COUNTY_LIST, "Counties you may see. County outlines run to thousands of vertices, "
                              "so the list defaults to `geometry=simplified` (100 m); ask "
                              "`geometry=full` or `geometry=none` explicitly."),
    retrieve=_schema(OUTPUT_PARAMS, "One county by its 6-digit code; full geometry by default."),
)
class CountyViewSet(StaleReadsView, FeatureViewSet):
    queryset = County.objects.all()
    serializer_class = CountySerializer
    list_geometry = SIMPLIFIED
    params = {"list": COUNTY_LIST, "retrieve": OUTPUT_PARAMS}

    def scoped_queryset(self):
        return visible_counties(self.request.user).defer("geom").order_by("code")

    def filter_list(self, queryset):
        queryset = filters.bbox(self.request, queryset, self.geometry_output.crs)
        return filters.name_contains(self.request, queryset)


# --- townships ------------------------------------------------------------------------------

class TownshipSerializer(FeatureSerializer):
    """A township (乡/镇/街道, 9-digit code); land only."""

    id = serializers.CharField(source="code", read_only=True)
    county_code = serializers.CharField(read_only=True)
    county_name = serializers.CharField(read_only=True)

    class Meta:
        model = Township
        geo_field = "geom"
        id_field = "id"
        fields = ("id", "code", "name", "kind", "county_code", "county_name", "geom")


TOWNSHIP_KIND = kind_param("kind", Township.Kind.values)
TOWNSHIP_LIST = (*OUTPUT_PARAMS, COUNTY, BBOX, BBOX_CRS, TOWNSHIP_KIND, Q_PARAM, *PAGE)


@extend_schema_view(
    list=_schema(TOWNSHIP_LIST, "Townships of the counties you may see."),
    retrieve=_schema(OUTPUT_PARAMS, "One township by its 9-digit code."),
)
class TownshipViewSet(_LevelViewSet):
    queryset = Township.objects.all()
    serializer_class = TownshipSerializer
    params = {"list": TOWNSHIP_LIST, "retrieve": OUTPUT_PARAMS}
    kinds = Township.Kind.values


# --- villages -------------------------------------------------------------------------------

class VillageSerializer(FeatureSerializer):
    """A village or community (村/社区, 12-digit code)."""

    id = serializers.CharField(source="code", read_only=True)
    township_code = serializers.CharField(read_only=True)
    township_name = serializers.CharField(read_only=True)
    county_code = serializers.CharField(read_only=True)
    county_name = serializers.CharField(read_only=True)

    class Meta:
        model = Village
        geo_field = "geom"
        id_field = "id"
        fields = ("id", "code", "name", "kind", "township_code", "township_name",
                  "county_code", "county_name", "geom")


VILLAGE_KIND = kind_param("kind", Village.Kind.values)
VILLAGE_LIST = (*OUTPUT_PARAMS, COUNTY, TOWNSHIP, BBOX, BBOX_CRS, VILLAGE_KIND, Q_PARAM, *PAGE)


@extend_schema_view(
    list=_schema(VILLAGE_LIST, "Villages and communities of the counties you may see."),
    retrieve=_schema(OUTPUT_PARAMS, "One village by its 12-digit code."),
)
class VillageViewSet(_LevelViewSet):
    queryset = Village.objects.all()
    serializer_class = VillageSerializer
    params = {"list": VILLAGE_LIST, "retrieve": OUTPUT_PARAMS}
    parents = ("township", "county")
    narrowed_by = (filters.township,)
    kinds = Village.Kind.values


# --- grids ----------------------------------------------------------------------------------

class GridSerializer(FeatureSerializer):
    """A grid (网格, 15-digit code), the smallest management cell."""

    id = serializers.CharField(source="code", read_only=True)
    village_code = serializers.CharField(read_only=True)
    village_name = serializers.CharField(read_only=True)
    township_code = serializers.CharField(read_only=True)
    township_name = serializers.CharField(read_only=True)
    county_code = serializers.CharField(read_only=True)
    county_name = serializers.CharField(read_only=True)

    class Meta:
        model = Grid
        geo_field = "geom"
        id_field = "id"
        fields = ("id", "code", "name", "village_code", "village_name", "township_code",
                  "township_name", "county_code", "county_name", "geom")


GRID_LIST = (*OUTPUT_PARAMS, COUNTY, TOWNSHIP, VILLAGE, BBOX, BBOX_CRS, Q_PARAM, *PAGE)


@extend_schema_view(
    list=_schema(GRID_LIST, "Grids of the counties you may see."),
    retrieve=_schema(OUTPUT_PARAMS, "One grid by its 15-digit code."),
)
class GridViewSet(_LevelViewSet):
    queryset = Grid.objects.all()
    serializer_class = GridSerializer
    params = {"list": GRID_LIST, "retrieve": OUTPUT_PARAMS}
    parents = ("village", "township", "county")
    narrowed_by = (filters.township, filters.village)


# --- protected areas ------------------------------------------------------------------------

class ProtectedAreaSerializer(FeatureSerializer):
    """One zone of a protected area; zones of one area share its code. `authority_code` is the
    department told of anything inside the zone (`authority_name` null if not in the catalogue
    of departments)."""

    county_code = serializers.CharField(read_only=True)
    county_name = serializers.CharField(read_only=True)
    authority_name = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = ProtectedArea
        geo_field = "geom"
        fields = ("id", "code", "name", "kind", "level", "zone", "authority_code", "authority_name",
                  "county_code", "county_name", "geom")


PA_KIND = kind_param("kind", ProtectedArea.Kind.values)
PA_ZONE = kind_param("zone", ProtectedArea.Zone.values, "Zone")
PA_LEVEL = kind_param("level", ProtectedArea.Level.values, "Level")
PA_AUTHORITY = filters.Param("authority", "Code of the department named as the zone's authority.")
PA_LIST = (*OUTPUT_PARAMS, COUNTY, BBOX, BBOX_CRS, PA_KIND, PA_ZONE, PA_LEVEL, PA_AUTHORITY,
           Q_PARAM, *PAGE)
PA_DETAIL = (*OUTPUT_PARAMS, COUNTY, PA_ZONE)


@extend_schema_view(
    list=_schema(PA_LIST, "Protected-area zones (one feature per zone) of the counties you may see."),
    retrieve=_schema(PA_DETAIL, "All zones of one protected area, by its code, as a "
                                "FeatureCollection (not paginated). Codes are unique per county: "
                                "give `county` if you see the code in several.",
                     responses=ProtectedAreaSerializer(many=True),
                     operation_id="protected_areas_retrieve"),
)
class ProtectedAreaViewSet(StaleReadsView, FeatureViewSet):
    queryset = ProtectedArea.objects.all()
    serializer_class = ProtectedAreaSerializer
    params = {"list": PA_LIST, "retrieve": PA_DETAIL}

    def scoped_queryset(self):
        authority = Department.objects.filter(county=OuterRef("county"), code=OuterRef("authority_code"))
        queryset = restrict(ProtectedArea.objects.defer("geom"), self.request.user)
        return (_parents(queryset, "county")
                .annotate(authority_name=Subquery(authority.values("name")[:1]))
                .order_by("code", "zone", "county__code"))

    def filter_list(self, queryset):
        request = self.request
        queryset = filters.county(request, queryset)
        queryset = filters.bbox(request, queryset, self.geometry_output.crs)
        queryset = filters.choice(request, queryset, "kind", ProtectedArea.Kind.values)
        queryset = filters.choice(request, queryset, "zone", ProtectedArea.Zone.values)
        queryset = filters.choice(request, queryset, "level", ProtectedArea.Level.values)
        authority = parse_code(request, "authority")
        if authority is not None:
            queryset = queryset.filter(authority_code=authority)
        return filters.name_contains(request, queryset)

    def retrieve(self, request, *args, **kwargs):
        code = kwargs["code"]
        queryset = filters.county(request, self.get_queryset().filter(code=code))
        queryset = filters.choice(request, queryset, "zone", ProtectedArea.Zone.values)
        zones = list(queryset)
        if not zones:
            raise NotFound(f"no protected area {code!r} in the counties you may see")
        counties = sorted({zone.county_code for zone in zones})
        if len(counties) > 1:
            raise BadParameter("county", f"protected area {code!r} exists in counties "
                                         f"{', '.join(counties)}; say which with ?county=")
        data = self.get_serializer(zones, many=True).data
        return Response(finish(data, self.geometry_output.crs))


# --- hub areas (1+X) ------------------------------------------------------------------------

class HubAreaSerializer(FeatureSerializer):
    """A 1+X hub area: the hub township's team also serves the covered townships. Geometry is
    the union of the hub and covered townships."""

    id = serializers.CharField(source="hub_code", read_only=True)
    hub_code = serializers.CharField(read_only=True)
    hub_name = serializers.CharField(read_only=True)
    covered = CodeNameSerializer(many=True, read_only=True)
    county_code = serializers.CharField(read_only=True)
    county_name = serializers.CharField(read_only=True)

    class Meta:
        model = HubArea
        geo_field = "geom"
        id_field = "id"
        geometry_schema = (Township, "geom")
        fields = ("id", "hub_code", "hub_name", "covered", "county_code", "county_name", "geom")


HUB_LIST = (*OUTPUT_PARAMS, COUNTY,
            filters.Param("township", "Township code (9 digits): the hub area whose hub or "
                                      "covered township it is."),
            BBOX, BBOX_CRS, *PAGE)


@extend_schema_view(
    list=_schema(HUB_LIST, "1+X hub areas of the counties you may see."),
    retrieve=_schema(OUTPUT_PARAMS, "One hub area by its hub township's 9-digit code."),
)
class HubAreaViewSet(StaleReadsView, FeatureViewSet):
    queryset = HubArea.objects.all()
    serializer_class = HubAreaSerializer
    lookup_field = "hub__code"
    lookup_url_kwarg = "code"
    params = {"list": HUB_LIST, "retrieve": OUTPUT_PARAMS}

    def scoped_queryset(self):
        covered = Prefetch("covered", queryset=Township.objects.only("id", "code", "name").order_by("code"))
        queryset = restrict(HubArea.objects.all(), self.request.user)
        return (_parents(queryset, "hub", "county").prefetch_related(covered).order_by("hub__code"))

    def get_geometry_source(self):
        return HubArea.objects.geometry()

    def filter_list(self, queryset):
        request = self.request
        queryset = filters.county(request, queryset)
        township = filters.township_pk(request)
        if township is not None:
            queryset = queryset.serving(township)
        polygon = filters.bbox_polygon(request, self.geometry_output.crs)
        if polygon is not None:
            queryset = queryset.in_bbox(polygon)
        return queryset
