"""Views of the map pages (/map/...): a page per entry of pages.PAGES, for people, who log in.

A page never carries a token (it would be written into the page and every tile URL): the
page and the tiles it loads use the session. Anonymous: a redirect to the login page; no
county or not the page's readers: a 403 page; a bad parameter: a 400 page. folium is
imported when a page is first rendered (`render_page`), not when the URLs load.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from rest_framework.request import Request

from gis_app.api.access import NoMembership, visible_county_ids
from gis_app.incidents import access
from gis_app.incidents.models import OPEN_STATES
from gis_app.incidents.querysets import overdue_q
from gis_app.web.errors import BadParameter
from gis_app.web.params import check_known
from layers import pages
from layers.catalogue import layers
from layers.features import no_jit
from layers.views import cache_headers


def _page_user(request):
    """The session's user, or None: pages are for people, who log in; a page never carries a
    token (it would be written into the page and every tile URL)."""
    return request.user if request.user.is_authenticated else None


def _page_refusal(status: int, message: str) -> HttpResponse:
    return HttpResponse(render_to_string("layers/refusal.html", {"title": "无法打开地图", "message": message}),
                        status=status)


def render_page(spec: pages.PageSpec, user, **kwargs) -> str:
    """The page's HTML. folium_pages (folium, branca and pandas: ~0.6 s and ~100k objects a
    worker keeps for life) is imported here, when a page is first rendered, not when the URLs
    load: workers that only answer the API, tiles and OGC never import it."""
    from layers import folium_pages

    return folium_pages.render_page(spec, user, **kwargs)


def map_page(key: str):
    """A view for page `key` of pages.PAGES: login redirect, 403 without county or role."""
    spec = pages.PAGES[key]

    def view(request):
        if "token" in request.GET:
            return _page_refusal(400, "地址中不接受令牌，请登录后打开地图 (no token in URLs: log in; "
                                      "the page and its tiles use the session)")
        user = _page_user(request)
        if user is None:
            return redirect_to_login(request.get_full_path(), settings.MAP_LOGIN_URL)
        try:
            visible_county_ids(user)
            if spec.readers == "patrols" and not access.may_read_patrols(user):
                return _page_refusal(403, "你的角色不能查看巡查数据 (your role may not read patrol data)")
            drf_request = Request(request)
            check_known(drf_request, PAGE_PARAMS.get(key, ()))
            layer_params, header = _page_extras(key, drf_request, user)
        except NoMembership as exc:
            return _page_refusal(403, str(exc.detail))
        except BadParameter as exc:
            return _page_refusal(400, exc.detail)
        html = render_page(spec, user, layer_params=layer_params, header_html=header)
        response = HttpResponse(html)
        return cache_headers(response, 0)

    view.__name__ = f"map_{key}"
    view.__doc__ = f"The {spec.title} map page."
    return view


PAGE_PARAMS = {"coverage": tuple(layers().get("coverage").params)}


def _page_extras(key: str, request, user) -> tuple[dict, str]:
    """Per page: the layers' own parameters and a line of figures for the title bar."""
    registry = layers()
    if key == "coverage":
        coverage = registry.get("coverage")
        options = coverage.parse_options(request)
        own = {p.name: request.query_params[p.name] for p in coverage.params if p.name in request.query_params}
        rows = coverage.queryset_for(user, options)
        with no_jit():
            total, done = rows.count(), rows.filter(patrolled=True).count()
        local = [timezone.localtime(options["start"]), timezone.localtime(options["end"])]
        header = (f'<form method="get">从 <input type="date" name="from" value="{local[0]:%Y-%m-%d}"> 到 '
                  f'<input type="date" name="to" value="{(local[1] - timedelta(seconds=1)):%Y-%m-%d}"> '
                  f'<button type="submit">查看</button></form>'
                  f'<small>已巡查 <b id="patrolled-count">{done}</b> / {total} 个网格</small>')
        return {"coverage": own}, header
    if key == "command":
        cases = registry.get("cases").queryset_for(user, {})
        with no_jit():
            counts = cases.aggregate(open=Count("pk", filter=Q(state__in=OPEN_STATES)),
                                     overdue=Count("pk", filter=overdue_q()),
                                     escalated=Count("pk", filter=Q(escalated_at__isnull=False, state__in=OPEN_STATES)))
        return {}, (f'<small>在办 <b id="open-count">{counts["open"]}</b> · 超期 '
                    f'<b id="overdue-count">{counts["overdue"]}</b> · 督办 {counts["escalated"]}</small>')
    if key == "protected":
        return ({"cases": {"protected-area": "any"}},
                '<small>点击地图任意位置查询归属；选择事项后给出派单结果：</small>'
                '<select id="route-item"><option value="">（仅定位）</option></select>')
    return {}, ""


command_map = map_page("command")
protected_areas_map = map_page("protected")
coverage_map = map_page("coverage")
