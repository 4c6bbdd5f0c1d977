"""The layer declarations: the one place that says what each map layer is (see registry.py).

Who sees what (the API's rules, reused rather than restated):
- territory and organisation layers (counties .. teams): the counties the user may see
  (gis_app.api.access: the county of their Member row; a superuser every county);
- cases: `visible_cases(user)` (gis_app.incidents.selectors), except planners: their maps are
  read-only overviews, so they see every case point of their county but only its summary
  (code, item, state, overdue, escalated, severity, times); never the description, reporter,
  team or mode, which stay with the roles that handle cases;
- tracks, coverage and live positions: the patrol readers (gis_app.incidents.access.may_read_patrols:
  township teams, departments, command centre, planners), in the counties they may see.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.db.models import (BooleanField, CharField, DateTimeField, Exists, ExpressionWrapper,
                              F, FloatField, Func, OuterRef, Q, Subquery, Value)
from django.db.models.functions import Cast, Concat, Now

from boundaries.models import County, Grid, HubArea, ProtectedArea, Township, Village
from gis_app.api.access import restrict, visible_county_ids
from gis_app.enforcement.access import in_counties
from gis_app.web.errors import BadParameter
from gis_app.web.params import Param, get_one
from gis_app.enforcement.answer_text import MODES, SEVERITIES
from gis_app.enforcement.models import Member, Team
from gis_app.incidents.models import Case, State
from gis_app.incidents.selectors import visible_cases, with_overdue
from gis_app.incidents import access
from gis_app.patrols.models import Fix, Track
from gis_app.api.patrol_params import FROM, TO, parse_period
from layers.coverage import patrolled_grids
from layers.registry import (BOOLEAN, DATETIME, INTEGER, LINESTRING, NUMBER, POINT, POLYGON,
                             REGISTRY, STRING, Attribute, Layer, Registry, Style)

A = Attribute


def words(choices) -> dict:
    """A coded attribute's Chinese words, from its model's choices (their one home)."""
    return dict(choices.choices)


def _county():
    return A("county", "county__code", description="county code", label="县代码")


def _county_rows(model, county_field="county"):
    def rows(user, options):
        return restrict(model.objects.all(), user, county_field)
    return rows


def _patrol_reader(user) -> bool:
    return access.may_read_patrols(user)


def _is_planner(user) -> bool:
    member = getattr(user, "member", None)
    return bool(member is not None and not user.is_superuser and member.role == Member.Role.PLANNER)


# --- territory -----------------------------------------------------------------------------

OUTLINE = {"color": "#1f3a5f", "weight": 1.5, "fill": False, "opacity": 0.9}

REGISTRY.register(Layer(
    id="counties", title="县（区）", description="County jurisdictions, sea included.",
    geometry_type=POLYGON, rows=_county_rows(County, "pk"),
    attributes=(A("code", description="6-digit county code", label="县代码"), A("name", label="名称")),
    style=Style(base={"color": "#0b2545", "weight": 3, "fill": False, "dashArray": "6 4"}),
    id_field="code", id_type=STRING, ordering=("code",),
))

REGISTRY.register(Layer(
    id="townships", title="乡镇（街道）", description="Townships (land only).",
    geometry_type=POLYGON, rows=_county_rows(Township),
    attributes=(A("code", description="9-digit township code", label="乡镇代码"), A("name", label="名称"),
                A("kind", label="类型", words=words(Township.Kind)), _county()),
    style=Style(base=OUTLINE, label="name"),
    id_field="code", id_type=STRING, ordering=("code",),
))

REGISTRY.register(Layer(
    id="villages", title="村（社区）", description="Villages and communities.",
    geometry_type=POLYGON, rows=_county_rows(Village),
    attributes=(A("code", description="12-digit village code", label="村（社区）代码"), A("name", label="名称"),
                A("kind", label="类型", words=words(Village.Kind)),
                A("township", "township__code", label="乡镇代码"), _county()),
    style=Style(base={"color": "#5c7a99", "weight": 1, "fill": False}),
    id_field="code", id_type=STRING, ordering=("code",), min_zoom=9,
))

REGISTRY.register(Layer(
    id="grids", title="网格", description="Grids, the smallest management cells.",
    geometry_type=POLYGON, rows=_county_rows(Grid),
    attributes=(A("code", description="15-digit grid code", label="网格编码"), A("name", label="名称"),
                A("village", "village__code", label="村（社区）代码"),
                A("township", "township__code", label="乡镇代码"), _county()),
    style=Style(base={"color": "#8da9c4", "weight": 0.6, "fill": False}),
    id_field="code", id_type=STRING, ordering=("code",), county_box=True,
))

ZONE_COLOURS = {"core": "#c0392b", "buffer": "#e67e22", "experimental": "#f1c40f", "general": "#27ae60"}
KIND_STROKES = {"nature_reserve": "#7b241c", "forest_park": "#145a32", "water_source": "#1b4f72",
                "ecological_redline": "#4a235a"}

REGISTRY.register(Layer(
    id="protected-areas", title="自然保护地分区",
    description="Protected-area zones: one feature per zone (core, buffer, experimental, general); "
                "zones of one area share its code.",
    geometry_type=POLYGON, rows=_county_rows(ProtectedArea),
    attributes=(A("code", label="保护地代码"), A("name", label="名称"),
                A("kind", label="类型", words=words(ProtectedArea.Kind)),
                A("level", label="级别", words=words(ProtectedArea.Level)),
                A("zone", label="分区", words=words(ProtectedArea.Zone)),
                A("authority", "authority_code", description="department code to notify",
                  label="主管部门代码"), _county()),
    style=Style(
        base={"color": "#555", "weight": 1.5, "fill": True, "fillOpacity": 0.35},
        rules=tuple(
            [{"when": {"zone": zone}, "style": {"fillColor": colour},
              "label": f"{ProtectedArea.Zone(zone).label}"} for zone, colour in ZONE_COLOURS.items()]
            + [{"when": {"kind": kind}, "style": {"color": colour},
                "label": f"{ProtectedArea.Kind(kind).label}（边线）"} for kind, colour in KIND_STROKES.items()])),
    ordering=("code", "zone"),
))


def _hub_bbox(queryset, polygon, exact):
    return queryset.in_bbox(polygon, exact=exact)


def _hub_geometry():
    return HubArea.objects.geometry()


_covered = HubArea.covered.through.objects.filter(hubarea_id=OuterRef("pk")).order_by()

REGISTRY.register(Layer(
    id="hubs", title="1+X 片区", description="1+X hub areas: the hub township's team also serves "
                                            "the covered townships; geometry is their union.",
    geometry_type=POLYGON, rows=_county_rows(HubArea), geometry=_hub_geometry, bbox_filter=_hub_bbox,
    attributes=(
        A("code", "hub__code", description="the hub township's code", label="中心镇代码"),
        A("name", Concat(F("hub__name"), Value("片区"), output_field=CharField()), label="名称"),
        A("covered", Subquery(_covered.values("hubarea_id").annotate(
            codes=StringAgg("township__code", ";", order_by="township__code")).values("codes"),
            output_field=CharField()), description="covered township codes, ;-separated",
          label="兼管乡镇代码"),
        A("covered_names", Subquery(_covered.values("hubarea_id").annotate(
            names=StringAgg("township__name", "、", order_by="township__code")).values("names"),
            output_field=CharField()), label="兼管乡镇"),
        _county()),
    style=Style(base={"color": "#6c3483", "weight": 2.5, "dashArray": "8 6", "fill": True,
                      "fillColor": "#af7ac5", "fillOpacity": 0.12}),
    id_field="hub__code", id_type=STRING, ordering=("hub__code",), jit_off=True,
))


# --- organisation ---------------------------------------------------------------------------

REGISTRY.register(Layer(
    id="teams", title="执法队伍", description="Enforcement teams at their bases.",
    geometry_type=POINT,
    rows=lambda user, options: restrict(Team.objects.filter(base__isnull=False), user),
    geometry="base",
    attributes=(A("code", label="队伍代码"), A("name", label="名称"),
                A("kind", label="类型", words=words(Team.Kind)),
                A("township", "township__code", label="乡镇代码"),
                A("department", "department__code", label="部门代码"), _county()),
    style=Style(base={"radius": 7, "color": "#0b5345", "weight": 2, "fill": True,
                      "fillColor": "#1abc9c", "fillOpacity": 0.9},
                rules=({"when": {"kind": "marine"}, "style": {"fillColor": "#2e86c1"}, "label": "海洋执法队伍"},
                       {"when": {"kind": "department"}, "style": {"fillColor": "#f5b041"}, "label": "部门执法队伍"},
                       {"when": {"kind": "township_team"}, "style": {}, "label": "乡镇综合行政执法队"})),
    ordering=("county__code", "code"),
))


# --- cases ----------------------------------------------------------------------------------

def _case_rows(user, options):
    visible_county_ids(user)  # an account without a county: 403, not an empty layer
    if _is_planner(user):
        cases = Case.objects.filter(in_counties([user.member.county_id]))
    else:
        cases = visible_cases(user)
    zone = options.get("protected_area")
    if zone is not None:
        zones = ProtectedArea.objects.filter(county_id=OuterRef("county_id"), geom__covers=OuterRef("location"))
        if zone != "any":
            zones = zones.filter(code=zone)
        cases = cases.filter(Exists(zones))
    return with_overdue(cases)


def _case_options(request) -> dict:
    value = get_one(request, "protected-area")
    if value is not None and len(value) > 30:
        raise BadParameter("protected-area", "longer than 30 characters")
    return {"protected_area": value}


STATE_COLOURS = {
    State.REPORTED: "#e74c3c", State.ASSIGNED: "#e67e22", State.TRANSFERRED: "#d35400",
    State.RETURNED: "#c0392b", State.ACCEPTED: "#f1c40f", State.ON_SCENE: "#3498db",
    State.HANDLED: "#2980b9", State.REVIEWED: "#16a085", State.CLOSED: "#27ae60",
    State.ARCHIVED: "#95a5a6", State.REJECTED: "#7f8c8d",
}

REGISTRY.register(Layer(
    id="cases", title="案件", description="Cases at their location: state, overdue (open past its "
    "deadline), escalated (督办). Planners get the summary attributes only.",
    geometry_type=POINT, rows=_case_rows, geometry="location",
    attributes=(
        A("code", "number", description="case number", label="案件编号"),
        A("name", "item__name", description="catalogue item name", label="事项"),
        A("item", "item__code", label="事项编码"), A("state", label="状态", words=words(State)),
        A("overdue", type=BOOLEAN, description="open and past its deadline", label="超期"),
        A("escalated", ExpressionWrapper(Q(escalated_at__isnull=False), output_field=BooleanField()),
          type=BOOLEAN, description="supervised (督办)", label="督办"),
        A("severity", label="严重程度", words=SEVERITIES),
        A("created_at", type=DATETIME, label="上报时间"), A("deadline", type=DATETIME, label="办理时限"),
        A("township", "township__code", label="乡镇代码"), A("township_name", "township__name", label="乡镇"),
        A("team", "team__code", detail=True, label="队伍代码"),
        A("team_name", "team__name", detail=True, label="执法队伍"),
        A("mode", detail=True, label="办理方式", words=MODES), A("description", detail=True, label="描述"),
        A("reporter", "reporter__username", detail=True, label="上报人"),
    ),
    style=Style(
        base={"radius": 6, "color": "#ffffff", "weight": 1.5, "fill": True, "fillOpacity": 0.95},
        rules=tuple([{"when": {"state": state.value}, "style": {"fillColor": colour}, "label": state.label}
                     for state, colour in STATE_COLOURS.items()]
                    + [{"when": {"escalated": True}, "style": {"color": "#8e44ad", "weight": 3},
                        "label": "督办（紫边）"},
                       {"when": {"overdue": True}, "style": {"color": "#000000", "weight": 3, "radius": 8},
                        "label": "超期（黑边）"},
                       # both at once: neither mark may hide the other
                       {"when": {"overdue": True, "escalated": True},
                        "style": {"color": "#8e44ad", "weight": 4, "radius": 9, "dashArray": "4 3"},
                        "label": "超期且督办（紫色虚边、放大）"}]),
        cluster={"color": "#ffffff", "weight": 2, "fill": True, "fillColor": "#c0392b",
                 "fillOpacity": 0.75}),
    id_field="number", id_type=STRING, summary_only=_is_planner, datetime=("created_at", None), max_age=0,
    cluster_max_zoom=13, ordering=("-id",), county_box=True,
    params=(Param("protected-area", "`any`: only cases inside some protected-area zone; or a "
                                    "protected-area code: only cases inside that area."),),
    parse_options=_case_options,
))


def _case_footprint_rows(user, options):
    return _case_rows(user, options).filter(footprint__isnull=False)


REGISTRY.register(Layer(
    id="case-footprints", title="案件范围", description="The reported areas of area cases (a "
    "building, a farm; see the footprint check): the same cases, rights and attributes as the "
    "`cases` layer, drawn as their footprint instead of their point.",
    geometry_type=POLYGON, rows=_case_footprint_rows, geometry="footprint",
    attributes=REGISTRY.get("cases").attributes,
    style=Style(base={"color": "#c0392b", "weight": 2, "fillColor": "#e74c3c", "fillOpacity": 0.35},
                rules=({"when": {"severity": "high"}, "style": {"color": "#7b241c", "weight": 3},
                        "label": "涉及核心区"},)),
    id_field="number", id_type=STRING, summary_only=_is_planner, datetime=("created_at", None), max_age=0,
    ordering=("-id",), params=REGISTRY.get("cases").params, parse_options=_case_options,
))


# --- patrols --------------------------------------------------------------------------------

def _track_rows(user, options):
    ids = visible_county_ids(user)
    tracks = Track.objects.filter(geom__isnull=False)
    return tracks if ids is None else tracks.filter(in_counties(ids, "team__county_id"))


REGISTRY.register(Layer(
    id="tracks", title="巡查轨迹", description="Uploaded patrol tracks (lines broken at gaps).",
    geometry_type=LINESTRING, rows=_track_rows, visible=_patrol_reader,
    attributes=(A("code", Cast("id", CharField()), description="track id", label="轨迹编号"),
                A("name", "team__name", description="team name", label="执法队伍"),
                A("team", "team__code", label="队伍代码"),
                A("started_at", type=DATETIME, label="开始时间"), A("ended_at", type=DATETIME, label="结束时间"),
                A("length_m", type=NUMBER, label="长度（米）"), A("fixes_kept", type=INTEGER, label="定位点数")),
    style=Style(base={"color": "#d35400", "weight": 3, "opacity": 0.85}),
    datetime=("started_at", "ended_at"), ordering=("-started_at", "id"), max_age=60,
))


def _coverage_options(request) -> dict:
    start, end = parse_period(request)
    return {"start": start, "end": end}


def _coverage_rows(user, options):
    ids = visible_county_ids(user)
    grids = Grid.objects.all() if ids is None else Grid.objects.filter(in_counties(ids))
    start, end = options["start"], options["end"]
    return grids.annotate(
        patrolled=patrolled_grids(ids, start, end),
        period_start=Value(start, output_field=DateTimeField()),
        period_end=Value(end, output_field=DateTimeField()))


REGISTRY.register(Layer(
    id="coverage", title="网格巡查覆盖", description="Grids patrolled or not in the period `from`/`to` "
    "(default: today): patrolled when a patrol line of a team of the county passed through it.",
    geometry_type=POLYGON, rows=_coverage_rows, visible=_patrol_reader,
    attributes=(A("code", label="网格编码"), A("name", label="名称"),
                A("township", "township__code", label="乡镇代码"),
                A("patrolled", type=BOOLEAN, label="已巡查"),
                A("period_start", type=DATETIME, label="统计起"), A("period_end", type=DATETIME, label="统计止")),
    style=Style(base={"color": "#555", "weight": 0.6, "fill": True, "fillOpacity": 0.45,
                      "fillColor": "#bdc3c7"},
                rules=({"when": {"patrolled": True}, "style": {"fillColor": "#27ae60"}, "label": "已巡查"},
                       {"when": {"patrolled": False}, "style": {"fillColor": "#e74c3c", "fillOpacity": 0.3},
                        "label": "未巡查"})),
    id_field="code", id_type=STRING, ordering=("code",), max_age=60, jit_off=True,
    params=(FROM, TO), parse_options=_coverage_options,
))


def _live_rows(user, options):
    """The latest track of each team the user may see, at its latest fix (time, place and
    accuracy annotated): one feature per team, its id the track's. Rows are tracks because
    fixes are keyed by (track, time) and have no single id for a feature."""
    ids = visible_county_ids(user)
    teams = Team.objects.all() if ids is None else Team.objects.filter(in_counties(ids))
    latest_track = Track.objects.filter(team_id=OuterRef("pk")).order_by("-ended_at").values("id")[:1]
    # Each a top-1 probe of an index (tracks: team, ended_at; fixes: their key, track and time).
    last = Fix.objects.filter(track_id=OuterRef("pk")).order_by("-time")
    return (Track.objects.filter(pk__in=teams.annotate(last_track=Subquery(latest_track)).values("last_track"))
            .annotate(time=Subquery(last.values("time")[:1]), position=Subquery(last.values("geom")[:1]),
                      accuracy=Subquery(last.values("accuracy")[:1]))
            .filter(time__isnull=False))


REGISTRY.register(Layer(
    id="live-positions", title="队伍实时位置",
    description="Each team's latest GPS fix (of its latest track); stale when older than "
                "PATROL_STALE_MINUTES.",
    geometry_type=POINT, rows=_live_rows, visible=_patrol_reader, geometry="position",
    attributes=(
        A("code", "team__code", description="team code", label="队伍代码"),
        A("name", "team__name", description="team name", label="执法队伍"),
        A("team_kind", "team__kind", label="队伍类型", words=words(Team.Kind)),
        A("track", "id", type=INTEGER, label="轨迹编号"),
        A("time", type=DATETIME, label="定位时间"), A("accuracy", type=NUMBER, label="精度（米）"),
        A("age_seconds", lambda: Func(Now() - F("time"), template="EXTRACT(EPOCH FROM %(expressions)s)",
                                      output_field=FloatField()), type=NUMBER, label="距今（秒）"),
        A("stale", lambda: ExpressionWrapper(
            Q(time__lt=Now() - timedelta(minutes=settings.PATROL_STALE_MINUTES)), output_field=BooleanField()),
          type=BOOLEAN, description="older than PATROL_STALE_MINUTES", label="位置过期"),
    ),
    style=Style(base={"radius": 8, "color": "#1b2631", "weight": 2, "fill": True,
                      "fillColor": "#00e5ff", "fillOpacity": 0.95},
                rules=({"when": {"stale": True}, "style": {"fillColor": "#7f8c8d"}, "label": "位置过期"},
                       {"when": {"stale": False}, "style": {}, "label": "实时"})),
    datetime=("time", None), ordering=("team__code",), max_age=0,
))


def layers() -> Registry:
    """The registry with every layer above declared: what tiles, OGC and the map pages iterate.
    Importing this module registers them; the outputs' views import it (django.setup() does not)."""
    return REGISTRY
