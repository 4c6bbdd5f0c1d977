"""足迹核查 (/footprint/): the natural-resources officer draws a footprint (or uploads a
GeoJSON, KML, zipped Shapefile or GeoPackage), reads on one page which protected zones and
units it overlaps, in hectares on the ellipsoid, who acts and which departments to tell, and
opens a case that keeps the footprint. The page only draws: the check is `POST /api/footprint`
(gis_app/enforcement/footprint.py) and the case `POST /api/cases/` with `footprint`.
"""
from __future__ import annotations

from django.shortcuts import render

from gis_app.enforcement.models import CatalogItem
from gis_app.incidents.access import PAGE_ROLES
from gis_app.pages.access import page_for
from gis_app.pages.labels import LEVEL_LABELS, MODE_LABELS, ZONE_LABELS
from gis_app.pages.nav import NavEntry, register

# Protected-area items first in the list: what a footprint in a reserve is usually about.
FIRST_DOMAINS = ("资源规划", "自然资源", "生态环境", "林业")


def _items(user):
    items = CatalogItem.objects.select_related("department").order_by("code")
    member = getattr(user, "member", None)
    if member is not None:
        items = items.filter(county_id=member.county_id)
    rows = [{"code": i.code, "name": i.name, "department": i.department.name} for i in items[:500]]
    return sorted(rows, key=lambda r: (0 if any(d in r["department"] for d in FIRST_DOMAINS) else 1,
                                       r["code"]))


@page_for("footprint")
def footprint_page(request):
    return render(request, "pages/footprint.html", {"title": "足迹核查", "items": _items(request.user),
                                                    "mode_labels": MODE_LABELS,
                                                    "area_words": {"zone": ZONE_LABELS, "level": LEVEL_LABELS}})


register(NavEntry("足迹核查", "pages-footprint", PAGE_ROLES["footprint"], order=55))
