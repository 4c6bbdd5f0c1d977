"""What the grid member's report page needs before it can work without signal: the county's
catalogue (with pinyin initials for searching, e.g. "zdjy" finds 占道经营), the items the member
reported lately, and their own grids as GeoJSON (WGS84) for the map.

One JSON document, cached by the field service worker, so the page opens and searches offline.
"""
from __future__ import annotations

import json
from functools import lru_cache

from django.contrib.gis.db.models.functions import AsGeoJSON
from pypinyin import Style, lazy_pinyin

from boundaries.models import Grid
from gis_app.enforcement.models import CatalogItem
from gis_app.incidents.selectors import recent_item_codes

COORDINATE_DECIMALS = 6  # ~0.1 m: enough to see a grid's edge on a phone


@lru_cache(maxsize=4096)
def initials(text: str) -> str:
    """Pinyin initials of the Chinese characters of `text`, lower case ("占道经营" -> "zdjy");
    other characters (letters, digits) are kept as they are, lower-cased."""
    return "".join(part[:1] for part in lazy_pinyin(text, style=Style.FIRST_LETTER,
                                                    errors=lambda chars: list(chars))).lower()


def report_data(member) -> dict:
    items = CatalogItem.objects.filter(county_id=member.county_id).order_by("code")
    grids = (Grid.objects.filter(members=member).order_by("code")
             .annotate(geojson=AsGeoJSON("geom", precision=COORDINATE_DECIMALS)))
    return {
        "crs": "EPSG:4326",
        "county": {"code": member.county.code, "name": member.county.name},
        "items": [{"code": i.code, "name": i.name, "domain": i.domain, "initials": initials(i.name),
                   "whistle_kind": i.whistle_kind, "whistle_label": i.get_whistle_kind_display()}
                  for i in items],
        "recent": recent_item_codes(member.user),
        "grids": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": json.loads(g.geojson),
             "properties": {"code": g.code, "name": g.name}} for g in grids]},
    }
