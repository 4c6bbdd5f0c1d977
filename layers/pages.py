"""The map pages, rendered with folium from the layer registry, for intranets.

Every layer on a page is a vector-tile layer of ours (/tiles/{layer}/{z}/{x}/{y}.pbf) styled by
its registry declaration; every JavaScript, CSS and font file is served from /static/vendor/
(folium's defaults point at public CDNs: the `IntranetMap` and `VectorTiles` classes replace
them). The basemap is optional: settings.MAP_BASEMAP_URL (a tile URL template, e.g. a
county's own tile server); without one the page shows our boundaries on a plain background.

Pages:
- command centre (/map/): townships, hub areas, teams, live positions, cases by state with
  overdue and escalated marked; live layers refresh every MAP_REFRESH_SECONDS;
- protected areas (/map/protected-areas/): zones coloured by zone (fill) and kind (edge), the
  cases inside them; a click anywhere asks /api/locate (or /api/route for a chosen item);
- coverage (/map/coverage/): grids patrolled or not in a period, tracks, hub areas.

This module is the pages' declarations only: folium_pages.py renders them (and imports this
module); map_views.py imports folium_pages when a page is first rendered, so that folium is not
loaded by workers that never draw a page.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    """A page: its title, which layers (ids, drawn in this order), their query parameters,
    which refresh, what a click does."""

    key: str
    title: str
    layer_ids: tuple[str, ...]
    refresh: tuple[str, ...] = ()
    click: str = "popup"  # or "route"
    hidden: tuple[str, ...] = ()  # layers listed in the control but off at first
    readers: str = "all"  # or "patrols": the patrol readers only


PAGES = {
    "command": PageSpec("command", "地图 · 案件与队伍",
                        ("counties", "townships", "hubs", "teams", "live-positions", "cases"),
                        refresh=("cases", "live-positions"), hidden=("hubs",)),
    "protected": PageSpec("protected", "自然保护地 · 分区与案件",
                          ("counties", "townships", "protected-areas", "case-footprints", "cases"),
                          click="route"),
    "coverage": PageSpec("coverage", "巡查覆盖 · 网格与轨迹",
                         ("counties", "townships", "coverage", "hubs", "tracks"), readers="patrols"),
}
