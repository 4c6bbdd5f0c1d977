"""Read-only API viewsets and the GeoJSON feature serializer they share.

What every endpoint here does the same way: authenticated users bound to a county only
(`access.HasCountyAccess`), rows limited to the counties the user may see, unknown query
parameters refused, writes answered 405; and for geometry, a FeatureCollection (or Feature)
that states its CRS in a `crs` member and a `Content-Crs` header.
"""
from __future__ import annotations

from django.db.models import QuerySet
from django.utils.text import camel_case_to_spaces
from drf_spectacular.contrib.rest_framework_gis import _inject_enum_collision_fix, build_geo_schema
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import build_object_type
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from gis_app.api.access import HasCountyAccess
from gis_app.web.errors import BadParameter
from gis_app.api.geometry import FULL, GeometryOutput, OutputGeometryField, content_crs, finish
from gis_app.api.pagination import FeaturePagination
from gis_app.web.params import Param, check_known, parse_code

LIMIT = Param("limit", "Page size (default 100, at most 10000).", type=int)
OFFSET = Param("offset", "Rows to skip before the page starts.", type=int)
PAGE = (LIMIT, OFFSET)


class FeatureSerializer(GeoFeatureModelSerializer):
    """A GeoJSON Feature whose geometry is the `geom_json` annotation of GeometryOutput.

    Subclasses set Meta.geo_field = "geom" and, when the model's geometry field is not
    `geom`, Meta.geometry_schema = (model, field name) for the OpenAPI geometry type.
    """

    geom = OutputGeometryField()


class FeatureSerializerExtension(OpenApiSerializerExtension):
    """OpenAPI for FeatureSerializer: the geometry type comes from Meta.geometry_schema,
    since the serialized value is an annotation, not a model field."""

    target_class = "gis_app.api.base.FeatureSerializer"
    match_subclasses = True
    priority = 1

    def map_serializer(self, auto_schema, direction):
        _inject_enum_collision_fix(collection=False)
        serializer = self.target
        meta = serializer.Meta
        properties = auto_schema._map_serializer(serializer, direction, bypass_extensions=True)
        feature = {"type": {"type": "string", "enum": ["Feature"]}}
        if getattr(meta, "id_field", None):
            feature["id"] = properties["properties"].pop(meta.id_field)
        properties["properties"].pop(meta.geo_field, None)
        model, field = getattr(meta, "geometry_schema", (meta.model, "geom"))
        feature["geometry"] = {**build_geo_schema(model._meta.get_field(field)), "nullable": True}
        properties.pop("required", None)
        properties.pop("description", None)
        feature["properties"] = properties
        return build_object_type(properties=feature, description=(serializer.__class__.__doc__ or "").strip())


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List and detail only (other methods: 405), scoped to the user's counties.

    `params` maps an action to the query parameters it accepts; anything else is a 400.
    Subclasses implement `scoped_queryset()` (rows the user may see) and, for lists,
    `filter_list(queryset)`.
    """

    permission_classes = [IsAuthenticated, HasCountyAccess]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    params: dict[str, tuple[Param, ...]] = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action in self.params:
            check_known(request, self.params[self.action])

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return self.scoped_queryset()

    def scoped_queryset(self) -> QuerySet:
        raise NotImplementedError

    def filter_queryset(self, queryset):
        return self.filter_list(queryset) if self.action == "list" else queryset

    def filter_list(self, queryset):
        return queryset


class CountyScopedLookupMixin:
    """Detail by a code that is unique per county only (departments, teams, catalogue):
    `?county=` picks the county when the user sees the code in more than one."""

    def get_object(self):
        code = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        queryset = self.get_queryset().filter(code=code)
        county = parse_code(self.request, "county", digits=6)
        if county is not None:
            queryset = queryset.filter(county__code=county)
        found = list(queryset[:2])
        if not found:
            # The model's English name (its verbose_name is Chinese, for the admin).
            raise NotFound(f"no {camel_case_to_spaces(self.queryset.model.__name__)} {code!r} "
                           f"in the counties you may see")
        if len(found) > 1:
            counties = sorted(self.get_queryset().filter(code=code).values_list("county__code", flat=True))
            raise BadParameter("county", f"code {code!r} exists in counties {', '.join(counties)}; "
                                         f"say which with ?county=")
        self.check_object_permissions(self.request, found[0])
        return found[0]


class FeatureViewSet(ReadOnlyViewSet):
    """GeoJSON lists (FeatureCollection with count/next) and details (Feature).

    `list_geometry` is the list's default `geometry` mode; details default to full.
    `geometry_source` is the field or expression whose geometry goes out.
    """

    pagination_class = FeaturePagination
    list_geometry = FULL
    geometry_source = "geom"
    geometry_output: GeometryOutput | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action in self.params:
            default = self.list_geometry if self.action == "list" else FULL
            self.geometry_output = GeometryOutput.from_request(request, default)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.geometry_output is None:
            return queryset
        return self.geometry_output.annotate(queryset, self.get_geometry_source())

    def get_geometry_source(self):
        return self.geometry_source

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data = finish(response.data, self.geometry_output.crs)
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response.data = finish(response.data, self.geometry_output.crs)
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.geometry_output is not None and response.status_code < 400:
            response["Content-Crs"] = content_crs(self.geometry_output.crs)
        return response


class CodeNameSerializer(serializers.Serializer):
    """A reference to another unit or body: its code and name."""

    code = serializers.CharField()
    name = serializers.CharField()
