"""一口受理 (/intake/): the command centre takes a phone report (12345 hotline).

The operator finds the place by what the caller says (place search: name, fragment, pinyin
initials, over `/api/places`) or clicks the map, picks the enforcement item, sees where the
router would send it (`/api/route`) and opens the case (`POST /api/cases/`, source hotline).
The page holds no logic of its own: search, routing and intake are the API's; this view
only gives the page the county's catalogue.
"""
from __future__ import annotations

from django.shortcuts import render

from gis_app.enforcement.models import CatalogItem
from gis_app.incidents.access import PAGE_ROLES
from gis_app.pages.access import page_for
from gis_app.pages.labels import MODE_LABELS
from gis_app.pages.nav import NavEntry, register


register(NavEntry("一口受理", "pages-intake", PAGE_ROLES["intake"], order=15))


@page_for("intake")
def intake(request):
    member = request.user.member
    items = CatalogItem.objects.filter(county_id=member.county_id).order_by("code").values(
        "code", "name", "domain", "whistle_kind")
    return render(request, "pages/intake.html", {"title": "一口受理", "items": list(items),
                                                 "county": member.county, "mode_labels": MODE_LABELS})
