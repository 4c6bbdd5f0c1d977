"""Chinese words for the codes the domain stores, as the pages show them.

None is written here: the state, source, whistle-kind and zone words are the models' own
choices, the router's modes and severities its word tables (enforcement/answer_text.py, which
the map popups read too), the step words incidents/workflow.py's labels.
"""
from boundaries.models import ProtectedArea
from gis_app.enforcement.answer_text import MODES, SEVERITIES
from gis_app.enforcement.models import CatalogItem
from gis_app.incidents.models import Case, State
from gis_app.incidents.workflow import STEPS

STATE_LABELS = dict(State.choices)
WHISTLE_LABELS = dict(CatalogItem.WhistleKind.choices)
SOURCE_LABELS = dict(Case.Source.choices)
MODE_LABELS = MODES
SEVERITY_LABELS = SEVERITIES
ZONE_LABELS = dict(ProtectedArea.Zone.choices)
LEVEL_LABELS = dict(ProtectedArea.Level.choices)

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
