"""Admin for the organisation tables. Geometry fields are left out: Django's map widgets load
OpenLayers from a public CDN, and command centres run on intranets."""
from django.contrib import admin

from gis_app.enforcement.models import Authority, CatalogItem, Department, Member, Team


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "county")
    list_filter = ("county", "kind")
    search_fields = ("code", "name")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "township", "department")
    list_filter = ("county", "kind")
    search_fields = ("code", "name")
    exclude = ("base",)


@admin.register(CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "action_type", "department", "whistle_kind")
    list_filter = ("county", "action_type", "whistle_kind")
    search_fields = ("code", "name")


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ("township", "item", "authority", "entrusting_department")
    list_filter = ("authority",)


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "county", "team", "department")
    list_filter = ("role", "county")
    raw_id_fields = ("grids",)
