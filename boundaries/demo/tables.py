"""The organisation tables of the demo bundles: departments, teams, catalogue, authority.

Real (from the seed documents): the "1+8+1" departments, 洋山镇 holding granted items in
its own name while the other 嵊泗 townships are served by dispatched squadrons of the
county bureau, 嵊山镇's 1+X hub over 枸杞乡 and 花鸟乡, 阳城's province-granted items and
"乡镇吹哨、部门报到", and the catalogue spread of 平顺县 (27 inspection, 7 penalty,
8 coercive of 42 items, two entrusted items). The individual items and which township
holds which are a plausible reconstruction, not a published list.
"""
from __future__ import annotations

from dataclasses import dataclass

# The eight professional departments of "1+8+1", in the seed's order.
PROFESSIONAL = [
    ("SCJG", "市场监管"), ("STHJ", "生态环境"), ("WGLT", "文广旅体"), ("JTYS", "交通运输"),
    ("NYNC", "农业农村"), ("ZYGH", "资源规划"), ("YJGL", "应急管理"), ("WSJK", "卫生健康"),
]


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    kind: str  # bureau | department | marine
    team_name: str


def departments(county: str) -> list[Department]:
    """"1+8+1" for 嵊泗县 (the marine team acts at sea); 阳城县 is inland: "1+8", no marine."""
    if county == "330922":
        p = "嵊泗县"
        rows = [
            ("ZHZF", f"{p}综合行政执法局", "bureau", f"{p}综合行政执法局直属大队"),
            ("SCJG", f"{p}市场监督管理局", "department", f"{p}市场监管综合行政执法队"),
            ("STHJ", "舟山市生态环境局嵊泗分局", "department", f"{p}生态环境保护综合行政执法队"),
            ("WGLT", f"{p}文化和广电旅游体育局", "department", f"{p}文化市场综合行政执法队"),
            ("JTYS", f"{p}交通运输局", "department", f"{p}交通运输综合行政执法队"),
            ("NYNC", f"{p}农业农村局", "department", f"{p}农业综合行政执法队"),
            ("ZYGH", f"{p}自然资源和规划局", "department", f"{p}自然资源和规划执法队"),
            ("YJGL", f"{p}应急管理局", "department", f"{p}应急管理综合行政执法队"),
            ("WSJK", f"{p}卫生健康局", "department", f"{p}卫生健康综合监督执法队"),
            ("HYZF", f"{p}海洋综合行政执法大队", "marine", f"{p}海洋综合行政执法船队"),
        ]
    elif county == "140522":
        p = "阳城县"
        rows = [
            ("ZHZF", f"{p}综合行政执法局", "bureau", f"{p}综合行政执法局直属大队"),
            ("SCJG", f"{p}市场监督管理局", "department", f"{p}市场监管综合行政执法队"),
            ("STHJ", "晋城市生态环境局阳城分局", "department", f"{p}生态环境保护综合行政执法队"),
            ("WGLT", f"{p}文化和旅游局", "department", f"{p}文化市场综合行政执法队"),
            ("JTYS", f"{p}交通运输局", "department", f"{p}交通运输综合行政执法队"),
            ("NYNC", f"{p}农业农村局", "department", f"{p}农业综合行政执法队"),
            # No separate forestry department in "1+8+1": 林业 sits with 资源规划 here.
            ("ZYGH", f"{p}规划和自然资源局", "department", f"{p}自然资源和林业执法队"),
            ("YJGL", f"{p}应急管理局", "department", f"{p}应急管理综合行政执法队"),
            ("WSJK", f"{p}卫生健康局", "department", f"{p}卫生健康综合监督执法队"),
        ]
    else:
        raise ValueError(f"no departments for county {county}")
    return [Department(*row) for row in rows]


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    domain: str
    action_type: str  # inspection | penalty | coercive
    legal_basis: str
    department_code: str
    supporting: tuple[str, ...]
    whistle_kind: str  # quick | tough | emergency
    group: str  # how townships tend to hold it, see `authority`


# group: statutory    - the law names the township (城乡规划法 §65), held by all;
#        comprehensive - transferred to the comprehensive bureau (综合执法事项);
#        grantable     - professional items a province grants to capable towns;
#        dispatched    - handled by department stations stationed in towns (派驻站所);
#        entrust       - entrusted by the department to some townships (委托);
#        department    - stays with the department: townships blow the whistle.
_COMMON = [
    ("JC001", "市容环境卫生检查", "市容环卫", "inspection", "《城市市容和环境卫生管理条例》", "ZHZF", "", "quick", "comprehensive"),
    ("JC002", "户外广告和招牌设施设置检查", "市容环卫", "inspection", "《城市市容和环境卫生管理条例》第十一条", "ZHZF", "", "quick", "comprehensive"),
    ("JC003", "占道经营和店外经营检查", "市容环卫", "inspection", "《城市市容和环境卫生管理条例》第十四条", "ZHZF", "SCJG", "quick", "comprehensive"),
    ("JC004", "生活垃圾分类投放检查", "市容环卫", "inspection", "《中华人民共和国固体废物污染环境防治法》", "ZHZF", "STHJ", "quick", "comprehensive"),
    ("JC005", "建筑垃圾运输处置检查", "市容环卫", "inspection", "《城市建筑垃圾管理规定》", "ZHZF", "JTYS", "tough", "comprehensive"),
    ("JC006", "城镇违法建设巡查", "城乡规划", "inspection", "《中华人民共和国城乡规划法》第五十三条", "ZHZF", "ZYGH", "tough", "comprehensive"),
    ("JC007", "乡村建设规划许可实施情况检查", "城乡规划", "inspection", "《中华人民共和国城乡规划法》第六十五条", "ZYGH", "ZHZF", "tough", "statutory"),
    ("JC008", "食品经营者日常监督检查", "市场监管", "inspection", "《中华人民共和国食品安全法》第一百一十条", "SCJG", "", "tough", "dispatched"),
    ("JC009", "食品小作坊和食品摊贩检查", "市场监管", "inspection", "《中华人民共和国食品安全法》第三十六条", "SCJG", "ZHZF", "quick", "grantable"),
    ("JC010", "特种设备使用安全检查", "市场监管", "inspection", "《中华人民共和国特种设备安全法》第六十一条", "SCJG", "YJGL", "emergency", "department"),
    ("JC011", "露天焚烧秸秆和垃圾检查", "生态环境", "inspection", "《中华人民共和国大气污染防治法》第二十九条", "STHJ", "ZHZF;NYNC", "quick", "grantable"),
    ("JC012", "排污单位现场检查(非法排污)", "生态环境", "inspection", "《中华人民共和国环境保护法》第二十四条", "STHJ", "", "emergency", "department"),
    ("JC013", "建筑施工噪声污染检查", "生态环境", "inspection", "《中华人民共和国噪声污染防治法》", "STHJ", "ZHZF", "quick", "comprehensive"),
    ("JC014", "娱乐场所经营活动检查", "文化旅游", "inspection", "《娱乐场所管理条例》", "WGLT", "", "quick", "department"),
    ("JC015", "旅游经营者和导游服务检查", "文化旅游", "inspection", "《中华人民共和国旅游法》", "WGLT", "SCJG", "quick", "department"),
    ("JC016", "道路运输经营行为检查", "交通运输", "inspection", "《中华人民共和国道路运输条例》", "JTYS", "", "tough", "department"),
    ("JC017", "公路路产路权巡查", "交通运输", "inspection", "《中华人民共和国公路法》", "JTYS", "ZHZF", "quick", "grantable"),
    ("JC018", "农药经营和使用检查", "农业农村", "inspection", "《农药管理条例》", "NYNC", "SCJG", "tough", "department"),
    ("JC019", "动物防疫条件检查", "农业农村", "inspection", "《中华人民共和国动物防疫法》", "NYNC", "", "emergency", "department"),
    ("JC020", "农村宅基地使用情况检查", "农业农村", "inspection", "《中华人民共和国土地管理法》第六十二条", "NYNC", "ZYGH", "tough", "grantable"),
    ("JC021", "土地利用动态巡查", "自然资源", "inspection", "《中华人民共和国土地管理法》第六十七条", "ZYGH", "ZHZF", "tough", "dispatched"),
    ("JC022", "生产经营单位安全生产检查", "应急管理", "inspection", "《中华人民共和国安全生产法》第六十五条", "YJGL", "", "emergency", "entrust"),
    ("JC023", "危险化学品经营储存检查", "应急管理", "inspection", "《危险化学品安全管理条例》", "YJGL", "SCJG;STHJ", "emergency", "department"),
    ("JC024", "公共场所卫生检查", "卫生健康", "inspection", "《公共场所卫生管理条例》", "WSJK", "", "quick", "department"),
    ("CF001", "对擅自设置户外广告设施的处罚", "市容环卫", "penalty", "《城市市容和环境卫生管理条例》第三十六条", "ZHZF", "", "quick", "comprehensive"),
    ("CF002", "对未取得乡村建设规划许可证进行建设的处罚", "城乡规划", "penalty", "《中华人民共和国城乡规划法》第六十五条", "ZYGH", "ZHZF", "tough", "statutory"),
    ("CF003", "对经营不符合食品安全标准食品的处罚", "市场监管", "penalty", "《中华人民共和国食品安全法》第一百二十四条", "SCJG", "", "tough", "department"),
    ("CF004", "对露天焚烧秸秆、落叶、垃圾的处罚", "生态环境", "penalty", "《中华人民共和国大气污染防治法》第一百一十九条", "STHJ", "ZHZF", "quick", "grantable"),
    ("CF005", "对占用耕地建窑、建坟的处罚", "自然资源", "penalty", "《中华人民共和国土地管理法》第七十五条", "ZYGH", "NYNC", "tough", "department"),
    ("QZ001", "暂扣违法占道经营的物品和工具", "市容环卫", "coercive", "《中华人民共和国行政强制法》第九条、《城市市容和环境卫生管理条例》", "ZHZF", "SCJG", "quick", "comprehensive"),
    ("QZ002", "强制拆除违法乡村建设", "城乡规划", "coercive", "《中华人民共和国城乡规划法》第六十五条、《中华人民共和国行政强制法》第四十四条", "ZYGH", "ZHZF", "tough", "statutory"),
    ("QZ003", "查封扣押不符合食品安全标准的食品", "市场监管", "coercive", "《中华人民共和国食品安全法》第一百一十条", "SCJG", "", "emergency", "department"),
    ("QZ004", "查封扣押非法排污的设施设备", "生态环境", "coercive", "《中华人民共和国环境保护法》第二十五条", "STHJ", "ZHZF", "emergency", "department"),
    ("QZ005", "查封存在重大事故隐患的场所和设施", "应急管理", "coercive", "《中华人民共和国安全生产法》第六十五条", "YJGL", "SCJG", "emergency", "department"),
    ("QZ006", "扣押非法运输危险化学品的车辆", "交通运输", "coercive", "《危险化学品安全管理条例》", "JTYS", "YJGL", "emergency", "department"),
]

_SHENGSI = [
    ("JC025", "渔港和渔船作业检查", "海洋渔业", "inspection", "《中华人民共和国渔业法》、《渔业船舶检验条例》", "HYZF", "NYNC", "tough", "entrust"),
    ("JC026", "海域使用和无居民海岛保护检查", "海洋渔业", "inspection", "《中华人民共和国海域使用管理法》、《中华人民共和国海岛保护法》", "HYZF", "ZYGH", "tough", "department"),
    ("JC027", "民宿和渔家乐经营检查", "文化旅游", "inspection", "《中华人民共和国旅游法》、《中华人民共和国食品安全法》", "WGLT", "SCJG;WSJK", "quick", "grantable"),
    ("CF006", "对在禁渔期违法捕捞的处罚", "海洋渔业", "penalty", "《中华人民共和国渔业法》第三十八条", "HYZF", "", "tough", "department"),
    ("CF007", "对向海域违法倾倒废弃物的处罚", "海洋渔业", "penalty", "《中华人民共和国海洋环境保护法》", "HYZF", "STHJ", "emergency", "department"),
    ("QZ007", "扣押违法捕捞的渔具和渔获物", "海洋渔业", "coercive", "《中华人民共和国渔业法》、《中华人民共和国行政强制法》第九条", "HYZF", "", "tough", "department"),
    ("QZ008", "暂扣未持有效证书擅自航行的船舶", "交通运输", "coercive", "《中华人民共和国海上交通安全法》", "JTYS", "HYZF", "emergency", "department"),
]

_YANGCHENG = [
    ("JC025", "森林防火检查", "自然资源", "inspection", "《森林防火条例》", "ZYGH", "YJGL", "emergency", "entrust"),
    ("JC026", "自然保护区内建设活动检查", "自然资源", "inspection", "《中华人民共和国自然保护区条例》", "ZYGH", "STHJ", "tough", "dispatched"),
    ("JC027", "煤矿和非煤矿山安全生产检查", "应急管理", "inspection", "《中华人民共和国矿山安全法》", "YJGL", "ZYGH", "emergency", "department"),
    ("CF006", "对擅自改变林地用途的处罚", "自然资源", "penalty", "《中华人民共和国森林法》第七十三条", "ZYGH", "ZHZF", "tough", "department"),
    ("CF007", "对未取得采矿许可证擅自采矿的处罚", "自然资源", "penalty", "《中华人民共和国矿产资源法》", "ZYGH", "YJGL", "tough", "department"),
    ("QZ007", "查封扣押非法采矿的工具设备", "自然资源", "coercive", "《中华人民共和国矿产资源法》、《中华人民共和国行政强制法》第九条", "ZYGH", "YJGL", "emergency", "department"),
    ("QZ008", "查封扣押破坏森林资源的工具设备", "自然资源", "coercive", "《中华人民共和国森林法》第六十七条", "ZYGH", "ZHZF", "tough", "department"),
]


def catalogue(county: str) -> list[Item]:
    """42 items: 35 shared (a provincial-style list) and 7 that fit the county (sea or mines)."""
    extra = {"330922": _SHENGSI, "140522": _YANGCHENG}[county]
    items = []
    for code, name, domain, action, basis, dept, supporting, whistle, group in _COMMON + extra:
        items.append(Item(code, name, domain, action, basis, dept,
                          tuple(s for s in supporting.split(";") if s), whistle, group))
    return items


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    seat: tuple[float, float]  # GCJ-02 lon, lat (data README; approximate)

    @property
    def kind(self) -> str:
        if self.name.endswith("街道"):
            return "subdistrict"
        return "town" if self.name.endswith("镇") else "township"

    @property
    def short(self) -> str:
        return self.name[:-1]


# Which townships an entrusted item is entrusted to (the entrusting department is the
# item's own department).
_ENTRUSTED = {
    "330922": {"JC022": {"洋山镇", "嵊山镇", "黄龙乡"}, "JC025": {"嵊山镇"}},
    "140522": {"JC022": {"北留镇", "润城镇", "东冶镇"},
               "JC025": {"寺头乡", "西河乡", "董封乡", "演礼乡", "固隆乡", "驾岭乡", "蟒河镇", "横河镇"}},
}
# Towns with department stations (市场监管所, 自然资源所) whose staff join the township team.
_STATIONS = {"330922": {"菜园镇", "洋山镇", "嵊山镇"}}


def authority(county: str, township: Township, item: Item) -> tuple[str, str]:
    """(authority, entrusting department code) of one township for one item.

    嵊泗 (seed 002): 洋山镇 is granted items and acts in its own name; elsewhere dispatched
    squadrons act in the county's name (`county`: the subject is the item's department,
    the bureau for comprehensive items). 阳城 (seed 004): the province's granted items go
    to towns by capacity; the county seat town's urban enforcement stays with the bureau.
    """
    if item.group == "statutory":
        return "statutory", ""
    if item.group == "entrust":
        entrusted = _ENTRUSTED[county].get(item.code, set())
        return ("entrusted", item.department_code) if township.name in entrusted else ("none", "")
    if item.group == "department":
        return "none", ""
    if county == "330922":
        granted_town = township.name == "洋山镇"
        stationed = township.name in _STATIONS[county]
        if item.group == "comprehensive":
            return ("granted" if granted_town else "county"), ""
        if item.group == "grantable":
            if granted_town:
                return "granted", ""
            return ("county" if stationed else "none"), ""
        if item.group == "dispatched":
            return ("county" if stationed else "none"), ""
    if county == "140522":
        town = township.kind == "town"
        if item.group == "comprehensive":
            return ("county" if township.name == "凤城镇" else "granted"), ""
        if item.group == "grantable":
            return ("granted" if town else "none"), ""
        if item.group == "dispatched":
            return ("county" if town else "none"), ""
    raise ValueError(f"no authority rule for {county} {item.group}")
