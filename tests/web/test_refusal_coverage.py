"""Every refusal the code can write has a Chinese row (gis_app/web/refusal_text.py).

The messages are collected from the code itself, not listed by hand: an AST walk over every
module whose refusals reach an API or page answer finds each place a refusal is built (a
`raise` of a refusal type, a helper that builds one, a patrol upload problem) and renders
its message template with a placeholder for every formatted value. Each must read as
Chinese: no English word left but parameter names, codes, settings, formats and units.
A new refusal without a row fails here, naming its file and line; a refusal whose text the
walk cannot see (built at run time from another message) must be listed in DYNAMIC with where
its words come from, so a new one is looked at too.
"""
from __future__ import annotations

import ast
import pathlib
import re

import pytest

from gis_app.web.refusal_text import detail_in_chinese

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLACEHOLDER = "7"

# Where refusals that reach an answer are written. Left out, on purpose: management commands
# and bundle/members imports (a command line's report, not an answer), migrations, the demo
# builder, settings and registries read at start-up (a wrong setting stops the server).
SOURCES = ["gis_app", "layers", "boundaries/crs.py", "boundaries/shapes.py", "boundaries/area_files.py"]
LEFT_OUT = ("gis_app/bundles/", "/management/", "/migrations/", "gis_app/settings.py",
            "gis_app/pages/nav.py", "gis_app/pages/access.py", "gis_app/enforcement/worktime.py",
            "gis_app/incidents/clock.py")

# How each refusal type or helper composes its detail: (index of the detail argument, prefix
# argument index or None). BadParameter(parameter, reason) reads "parameter: reason".
SHAPES = {
    "ApiError": (0, None), "Forbidden": (0, None), "NotFound": (0, None), "Conflict": (0, None),
    "NoMembership": (0, None), "NotAMember": (0, None), "Http404": (0, None), "PermissionDenied": (0, None),
    "AuthenticationFailed": (0, None), "ReadOnlyToken": (0, None), "UploadTooLarge": (0, None),
    "BadParameter": (1, 0), "BadText": (1, 0),
    "StepError": (2, None), "PhotoRefused": (2, None), "Refusal": (2, None),
    "_refuse": (2, None),              # footprint.py's (status, error, detail) and photos.py's
    "_not_archived": (0, None), "Open311Error": (1, None),
    "CRSError": (0, "reason"), "ShapeError": (0, "reason"),     # answered as "<parameter>: <reason>"
    "ValidationError": (0, "reason"),
    "MalformedUpload": (None, None),    # its problems' reasons are walked below
}
# ValueErrors whose text becomes a refusal's reason (a patrol upload's unreadable time).
VALUE_ERRORS = ("gis_app/patrols/collector.py",)

# Built at run time from a message collected elsewhere (or from a library): where the words come from.
DYNAMIC = {
    "str(exc)": "another refusal's message passed on (CRSError, ShapeError, ValueError: walked here)",
    "str(exc.detail)": "DRF's authentication message (its catalogue; rows in DETAILS)",
    "exc.detail": "a BadParameter's/StepError's detail passed on to Open311",
    "refusal.detail": "the router's refusal passed on to Open311 (walked here)",
    "raw.reason": "a BadParameter's reason renamed to points[i] (walked here)",
    "result.reason": "a BadParameter's reason renamed to points[i] (walked here)",
    "{field: [reason]}": "patrols/services.py's _refuse(field, reason): walked at its calls",
    "self.limit": "UploadTooLarge's limit (a number; its message is walked in its __init__)",
    "e.detail": "a PeriodError's detail, written in Chinese (incidents/assessment.py)",
    "problem": "text_problem()'s reason (gis_app/text.py, walked here)",
    "detail": "a caller's literal detail (walked at the call)",
}

# English that may stay: identifiers, formats, units, protocols.
ALLOWED = {
    "JSON", "GeoJSON", "CSV", "XLSX", "UTF", "ISO", "HH", "MM", "YYYY", "DD", "RFC", "W3C", "XML",
    "GPX", "JPEG", "PNG", "PDF", "MP4", "NUL", "URL", "URLs", "HTTPS", "HTTP", "Basic", "Token", "KEY",
    "Authorization", "https", "GDAL", "VRT", "EPSG", "CRS", "Web", "km", "Point", "LineString",
    "MultiLineString", "Polygon", "MultiPolygon", "Feature", "FeatureCollection", "coordTimes",
    "zip", "Shapefile", "GeoPackage", "FlatGeobuf", "KML", "shp", "shx", "dbf", "lon", "lat", "item", "id",
    "minx", "miny", "maxx", "maxy", "true", "false", "json", "html", "bbox", "crs", "points", "from", "to",
    "api_key", "county", "Z", "gpx", "geojson", "csv", "open", "closed", "jurisdiction_id", "surrogate",
    "geometry", "file", "time", "accuracy", "features", "properties", "coordinates", "type", "format",
    "Unix", "PostGIS", "version", "state", "pinyin", "datetime", "http", "sea", "Member",
    "cursor", "offset", "next", "prev", "limit", "team", "patrol",
}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
CJK = re.compile(r"[\u4e00-\u9fff]")


_CONSTANTS: dict[str, str] = {}     # the module-level message constants of the file being walked


def _render(node) -> str | None:
    """A message template as text, every formatted value a placeholder; None if built at run time."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return _CONSTANTS.get(node.id)
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else
                       (f"'{PLACEHOLDER}'" if v.conversion == ord("r") else PLACEHOLDER) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _render(node.left), _render(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else PLACEHOLDER) + (right if right is not None else PLACEHOLDER)
    return None


def _name(func) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _files():
    for source in SOURCES:
        path = ROOT / source
        for file in ([path] if path.is_file() else sorted(path.rglob("*.py"))):
            rel = file.relative_to(ROOT).as_posix()
            if not any(part in "/" + rel for part in LEFT_OUT):
                yield rel, ast.parse(file.read_text())


def _texts(node, rel):
    """Message texts not passed straight to a refusal: a `reason = ...` kept for one, a step's
    `when_not`, an exception's own message (`super().__init__(...)`, `detail=`, `default_detail`),
    a permission's `message`."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        text = _render(node.value)
        if text is not None and node.targets[0].id in ("reason", "default_detail", "message"):
            return [f"parameter: {text}" if node.targets[0].id == "reason" else text]
    if isinstance(node, ast.Call):
        found = [_render(k.value) for k in node.keywords if k.arg == "detail"]
        found += [f"step (label) cannot be taken now: {_render(k.value)}" for k in node.keywords
                  if k.arg == "when_not" and _render(k.value) is not None]
        if _name(node.func) == "__init__" and node.args and isinstance(node.func.value, ast.Call) \
                and _name(node.func.value.func) == "super":
            found.append(_render(node.args[0]))
        return [text for text in found if text is not None]
    return []


def collect():
    """-> (messages, dynamic): [(where, detail as the caller reads it)], [(where, expression)]."""
    messages, dynamic = [], []
    for rel, tree in _files():
        _CONSTANTS.clear()
        for statement in tree.body:                      # e.g. UPLOAD_FIELDS, a message's tail
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                    and isinstance(statement.targets[0], ast.Name):
                text = _render(statement.value)
                if text is not None:
                    _CONSTANTS[statement.targets[0].id] = text
        for node in ast.walk(tree):
            messages.extend((f"{rel}:{node.lineno}", text) for text in _texts(node, rel))
            if not isinstance(node, ast.Call):
                continue
            name, where = _name(node.func), f"{rel}:{node.lineno}"
            if name == "_refuse" and len(node.args) == 2:                  # patrols/services.py's
                text = _render(node.args[1])
                if text is not None:
                    messages.append((where, f"{_render(node.args[0]) or 'field'}: {text}"))
                continue
            if name == "_refuse" and any(k.arg in ("filename", None) for k in node.keywords):  # photos.py's
                text = _render(node.args[2])
                if text is not None:
                    messages.append((where, f"photos: photo 7 '7' {text}; the whole submission was "
                                            "refused and nothing was stored"))
                continue
            if name == "problem" and len(node.args) == 3:             # a patrol upload's problem
                reason = node.args[2]
                for text in ([_render(reason.body), _render(reason.orelse)] if isinstance(reason, ast.IfExp)
                             else [_render(reason)]):
                    if text is None:
                        dynamic.append((where, ast.unparse(reason)))
                    else:
                        messages.append((where, f"{_render(node.args[1]) or 'field'}: {text}"))
                continue
            if name == "MalformedUpload":
                for item in node.args:                               # [{"field": ..., "reason": ...}]
                    for found in ast.walk(item):
                        if isinstance(found, ast.Dict):
                            pairs = {k.value: v for k, v in zip(found.keys, found.values)
                                     if isinstance(k, ast.Constant)}
                            if "reason" in pairs:
                                text = _render(pairs["reason"])
                                field = _render(pairs["field"]) if "field" in pairs else "field"
                                if text is None:
                                    dynamic.append((where, ast.unparse(pairs["reason"])))
                                else:
                                    messages.append((where, f"{field}: {text}"))
                continue
            if name == "ValueError" and rel in VALUE_ERRORS and node.args:
                text = _render(node.args[0])
                if text is not None:
                    messages.append((where, f"time: {text}"))
                continue
            if name not in SHAPES:
                continue
            index, prefix = SHAPES[name]
            if index is None or len(node.args) <= index:
                continue
            text = _render(node.args[index])
            if text is None:
                dynamic.append((where, ast.unparse(node.args[index])))
                continue
            if prefix == "reason":
                text = f"parameter: {text}"
            elif prefix is not None:
                text = f"{_render(node.args[prefix]) or 'parameter'}: {text}"
            messages.append((where, text))
    only_values = re.compile(r"^[\W7_]*$")          # "{name}: {reason}": the words are the caller's
    return [(w, t) for w, t in messages if not only_values.match(re.sub(r"^[^:]{1,60}: ", "", t))], dynamic


def leftover_english(chinese: str) -> list[str]:
    """English words left in a translated detail, beside identifiers, formats and units."""
    parameter, _, rest = chinese.partition("：") if "：" in chinese else ("", "", chinese)
    words = []
    for word in WORD.findall(rest):
        if word in ALLOWED or word == parameter or "_" in word or word.isupper() or len(word) == 1 \
                or any(c.isdigit() for c in word):
            continue
        words.append(word)
    return words


MESSAGES, DYNAMIC_FOUND = collect()


def test_the_walk_finds_the_refusals_of_every_area():
    files = {where.split(":")[0] for where, _ in MESSAGES}
    for area in ("gis_app/patrols/ingest.py", "gis_app/incidents/workflow.py", "gis_app/web/auth.py",
                 "gis_app/api/patrols.py", "gis_app/enforcement/routing.py", "layers/views.py"):
        assert area in files
    assert len(MESSAGES) > 250


@pytest.mark.parametrize("where,english", MESSAGES, ids=[w for w, _ in MESSAGES])
def test_every_refusal_template_reads_in_chinese(where, english):
    chinese = detail_in_chinese(english, "error")
    assert CJK.search(chinese), (where, english, chinese)
    assert not chinese.startswith("请求被拒绝："), (where, english, chinese)     # no row: the fallback
    assert not leftover_english(chinese), (where, english, chinese, leftover_english(chinese))


def test_every_refusal_built_at_run_time_is_accounted_for():
    unknown = sorted({(where, expression) for where, expression in DYNAMIC_FOUND if expression not in DYNAMIC})
    assert not unknown


def test_every_listed_run_time_refusal_is_still_in_the_code():
    assert sorted(set(DYNAMIC) - {expression for _, expression in DYNAMIC_FOUND}) == []
