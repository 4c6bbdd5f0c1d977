"""Organisation read API: departments, teams, the enforcement catalogue and per-township
authority for each item.

Codes of departments, teams and items are unique per county only, so a detail URL takes the
code (/api/departments/SCJG/) and, when the user sees that code in several counties (only
superusers can), `?county=` chooses; without it the answer is a 400 naming `county`.
Teams have a base point and come as GeoJSON; the rest is plain JSON (no coordinates).
"""
from __future__ import annotations

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action

from boundaries.models import Township
from gis_app.api import filters
from gis_app.api.access import restrict
from gis_app.api.base import (PAGE, CodeNameSerializer, CountyScopedLookupMixin, FeatureSerializer,
                              FeatureViewSet, ReadOnlyViewSet)
from gis_app.web.errors import BadParameter
from gis_app.api.filters import BBOX, BBOX_CRS, COUNTY, Q as Q_PARAM, TOWNSHIP, Param, kind_param
from gis_app.api.geometry import CRS_PARAM
from gis_app.web.params import openapi, parse_choice, parse_code
from gis_app.api.pagination import CountedPagination
from gis_app.enforcement.models import Authority, CatalogItem, Department, Team

DETAIL = (COUNTY,)
DEPARTMENT = Param("department", "Department code (unique per county).")


def _department_filter(request, queryset, field="department"):
    """`department` code, checked against the departments of the counties the user may see."""
    code = parse_code(request, "department")
    if code is None:
        return queryset
    if not restrict(Department.objects.filter(code=code), request.user).exists():
        raise BadParameter("department", f"no department {code!r} in the counties you may see")
    return queryset.filter(**{f"{field}__code": code})


# --- departments ----------------------------------------------------------------------------

class DepartmentSerializer(serializers.ModelSerializer):
    """A county body: the comprehensive bureau, a professional department or the marine one."""

    county_code = serializers.CharField(read_only=True)

    class Meta:
        model = Department
        fields = ("code", "name", "kind", "county_code")


DEPARTMENT_KIND = kind_param("kind", Department.Kind.values)
DEPARTMENT_LIST = (COUNTY, DEPARTMENT_KIND, Q_PARAM, *PAGE)


@extend_schema_view(
    list=extend_schema(parameters=openapi(DEPARTMENT_LIST), description="Departments of the counties you may see."),
    retrieve=extend_schema(parameters=openapi(DETAIL), description="One department by code (+ `county` when ambiguous)."),
)
class DepartmentViewSet(CountyScopedLookupMixin, ReadOnlyViewSet):
    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    params = {"list": DEPARTMENT_LIST, "retrieve": DETAIL}

    def scoped_queryset(self):
        return (restrict(Department.objects.all(), self.request.user)
                .annotate(county_code=F("county__code")).order_by("county__code", "code"))

    def filter_list(self, queryset):
        request = self.request
        queryset = filters.county(request, queryset)
        queryset = filters.choice(request, queryset, "kind", Department.Kind.values)
        return filters.name_contains(request, queryset)


# --- teams ----------------------------------------------------------------------------------

class TeamSerializer(FeatureSerializer):
    """An enforcement team; geometry is its base (a point, null when unknown)."""

    county_code = serializers.CharField(read_only=True)
    township_code = serializers.CharField(read_only=True, allow_null=True)
    township_name = serializers.CharField(read_only=True, allow_null=True)
    department_code = serializers.CharField(read_only=True, allow_null=True)
    department_name = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Team
        geo_field = "geom"
        geometry_schema = (Team, "base")
        fields = ("id", "code", "name", "kind", "county_code", "township_code", "township_name",
                  "department_code", "department_name", "geom")


TEAM_KIND = kind_param("kind", Team.Kind.values)
TEAM_LIST = (CRS_PARAM, COUNTY, TOWNSHIP, DEPARTMENT, TEAM_KIND, BBOX, BBOX_CRS, Q_PARAM, *PAGE)
TEAM_DETAIL = (CRS_PARAM, COUNTY)


@extend_schema_view(
    list=extend_schema(parameters=openapi(TEAM_LIST), description="Teams of the counties you may see; "
                       "`bbox` matches their base."),
    retrieve=extend_schema(parameters=openapi(TEAM_DETAIL), description="One team by code (+ `county` when ambiguous)."),
)
class TeamViewSet(CountyScopedLookupMixin, FeatureViewSet):
    queryset = Team.objects.all()
    serializer_class = TeamSerializer
    geometry_source = "base"
    params = {"list": TEAM_LIST, "retrieve": TEAM_DETAIL}

    def scoped_queryset(self):
        queryset = restrict(Team.objects.defer("base"), self.request.user)
        return (queryset.annotate(county_code=F("county__code"),
                                  township_code=F("township__code"), township_name=F("township__name"),
                                  department_code=F("department__code"),
                                  department_name=F("department__name"))
                .order_by("county__code", "code"))

    def filter_list(self, queryset):
        request = self.request
        queryset = filters.county(request, queryset)
        queryset = filters.township(request, queryset)
        queryset = _department_filter(request, queryset)
        queryset = filters.choice(request, queryset, "kind", Team.Kind.values)
        queryset = filters.bbox(request, queryset, self.geometry_output.crs, field="base")
        return filters.name_contains(request, queryset)


# --- catalogue ------------------------------------------------------------------------------

class DepartmentRefSerializer(CodeNameSerializer):
    kind = serializers.CharField()


class CatalogItemSerializer(serializers.ModelSerializer):
    """An enforcement item (执法事项): its department acts when the township cannot
    (whistle), the supporting departments join (1+N); `deadline_hours` follows from the
    whistle kind (settings.WHISTLE_DEADLINE_HOURS)."""

    county_code = serializers.CharField(read_only=True)
    department = DepartmentRefSerializer(read_only=True)
    supporting_departments = DepartmentRefSerializer(many=True, read_only=True)
    deadline_hours = serializers.SerializerMethodField()

    class Meta:
        model = CatalogItem
        fields = ("code", "name", "domain", "action_type", "legal_basis", "department",
                  "supporting_departments", "whistle_kind", "deadline_hours", "county_code")

    @extend_schema_field(OpenApiTypes.INT)
    def get_deadline_hours(self, item):
        return settings.WHISTLE_DEADLINE_HOURS.get(item.whistle_kind)


ACTION_TYPE = kind_param("action_type", CatalogItem.ActionType.values, "Action type")
WHISTLE_KIND = kind_param("whistle_kind", CatalogItem.WhistleKind.values, "Whistle kind")
DOMAIN = Param("domain", "Enforcement domain, exact (e.g. 综合).")
CATALOGUE_LIST = (COUNTY, DEPARTMENT, ACTION_TYPE, WHISTLE_KIND, DOMAIN, Q_PARAM, *PAGE)
AUTHORITY_KIND = kind_param("authority", Authority.Kind.values, "Authority")
AUTHORITY_LIST = (COUNTY, TOWNSHIP, AUTHORITY_KIND, *PAGE)


class AuthorityRowSerializer(serializers.Serializer):
    """How one township holds the item. `explicit` is false when the catalogue has no row for
    the township, which means `none` (the township blows the whistle)."""

    township = CodeNameSerializer()
    authority = serializers.ChoiceField(choices=Authority.Kind.choices)
    explicit = serializers.BooleanField()
    entrusting_department = CodeNameSerializer(allow_null=True)

    def to_representation(self, row):
        entrusting = None
        if row["entrusting_code"]:
            entrusting = {"code": row["entrusting_code"], "name": row["entrusting_name"]}
        return {"township": {"code": row["code"], "name": row["name"]}, "authority": row["authority"],
                "explicit": row["explicit"], "entrusting_department": entrusting}


def authority_rows(item: CatalogItem):
    """Every township of the item's county with its authority for the item (`none` when no row),
    in one query: a correlated subquery per column instead of a query per township."""
    row = Authority.objects.filter(item=item, township=OuterRef("pk"))
    return (Township.objects.filter(county_id=item.county_id).order_by("code")
            .annotate(authority=Coalesce(Subquery(row.values("authority")[:1]), Value(Authority.Kind.NONE)),
                      explicit=Exists(row),
                      entrusting_code=Subquery(row.values("entrusting_department__code")[:1]),
                      entrusting_name=Subquery(row.values("entrusting_department__name")[:1]))
            .values("pk", "code", "name", "authority", "explicit", "entrusting_code", "entrusting_name"))


@extend_schema_view(
    list=extend_schema(parameters=openapi(CATALOGUE_LIST), description="Enforcement catalogue of the "
                       "counties you may see."),
    retrieve=extend_schema(parameters=openapi(DETAIL), description="One item by code (+ `county` when ambiguous)."),
    authority=extend_schema(parameters=openapi(AUTHORITY_LIST), responses=AuthorityRowSerializer(many=True),
                            description="Per-township authority for the item: one row per township of "
                                        "the item's county (`none` where the catalogue has no row). "
                                        "`county` chooses the item's county when the code is ambiguous."),
)
class CatalogueViewSet(CountyScopedLookupMixin, ReadOnlyViewSet):
    queryset = CatalogItem.objects.all()
    serializer_class = CatalogItemSerializer
    params = {"list": CATALOGUE_LIST, "retrieve": DETAIL, "authority": AUTHORITY_LIST}

    def scoped_queryset(self):
        departments = Department.objects.only("id", "code", "name", "kind").order_by("code")
        return (restrict(CatalogItem.objects.all(), self.request.user)
                .select_related("department")
                .prefetch_related(Prefetch("supporting_departments", queryset=departments))
                .annotate(county_code=F("county__code"))
                .order_by("county__code", "code"))

    def filter_list(self, queryset):
        request = self.request
        queryset = filters.county(request, queryset)
        queryset = _department_filter(request, queryset)
        queryset = filters.choice(request, queryset, "action_type", CatalogItem.ActionType.values)
        queryset = filters.choice(request, queryset, "whistle_kind", CatalogItem.WhistleKind.values)
        domain = parse_code(request, "domain", max_length=50)
        if domain is not None:
            queryset = queryset.filter(domain=domain)
        return filters.name_contains(request, queryset)

    @action(detail=True, methods=["get"], pagination_class=CountedPagination)
    def authority(self, request, code=None):
        item = self.get_object()
        rows = authority_rows(item)
        township = filters.township_pk(request)
        if township is not None:
            rows = rows.filter(pk=township)
        kind = parse_choice(request, "authority", Authority.Kind.values)
        if kind is not None:
            rows = rows.filter(authority=kind)
        page = self.paginate_queryset(rows)
        response = self.get_paginated_response(AuthorityRowSerializer(page, many=True).data)
        response.data = {"item": {"code": item.code, "name": item.name, "county_code": item.county_code},
                         **response.data}
        return response
