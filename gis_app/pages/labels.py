"""Chinese words for the codes the domain stores, as the pages show them.

The state and whistle-kind words are the models' own choices; the step words are
incidents/workflow.py's labels. Only the router's modes have no label below the pages.
"""
from gis_app.enforcement.models import CatalogItem
from gis_app.incidents.models import Case, State
from gis_app.incidents.workflow import STEPS

STATE_LABELS = dict(State.choices)
WHISTLE_LABELS = dict(CatalogItem.WhistleKind.choices)
SOURCE_LABELS = dict(Case.Source.choices)
MODE_LABELS = {"township": "乡镇", "entrusted": "委托", "county": "派驻", "whistle": "吹哨", "marine": "海上"}
SEVERITY_LABELS = {"high": "高", "normal": "一般"}
ZONE_LABELS = {"core": "核心区", "buffer": "缓冲区", "experimental": "实验区"}

# Timeline words for event kinds: the steps' own labels, plus what is not a step.
EVENT_LABELS = {name: step.label for name, step in STEPS.items()}
EVENT_LABELS.update({"reported": "上报", "routed": "派遣（系统）", "attachment": "附件",
                     "reassigned": "重新派遣（区划调整）"})
# Who acts without a person (the event's user is none; its actor_name stays "system" in the chain).
MACHINE_WORDS = {"router": "派单系统", "clock": "系统时钟", "importer": "区划导入"}
ROLE_WORDS = {"command_centre": "指挥中心", "grid_member": "网格员", "township_team": "执法队员",
              "department": "县级部门", "planner": "规划人员", "admin": "管理员", **MACHINE_WORDS}


def label(mapping: dict, code) -> str:
    """The Chinese word, or the code itself when there is none (never an empty cell)."""
    return mapping.get(code, code or "")
