"""Checks a bundle's layers and tables can make before anything touches the database.

Each check adds every problem it finds to the Report and returns the rows it could make
sense of, so later checks (references between tables, the spatial checks in PostGIS) still
run on the rest and the county officer sees all mistakes in one report. The geometry checks
(CRS plausibility, validity, WGS84) are geometry_checks.py's.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from boundaries.crs import CRS, transform_geometries
from boundaries.models import ProtectedArea, Township, Village
from gis_app.bundles.geometry_checks import (AREA_MARGIN_DEG, LINES, area_of_use, feature_labeller,
                                            layer_geometries, wgs84_geometries)
from gis_app.bundles.problems import Report, feature_label, row_label
from gis_app.bundles.reader import Layer
from gis_app.enforcement.models import Authority, CatalogItem, Department, Team

# Code length per level (DESIGN §5): the prefix of a code names its parent.
LEVEL_CODE_LENGTH = {"county": 6, "township": 9, "village": 12, "grid": 15}
PARENT_LEVEL = {"township": "county", "village": "township", "grid": "village"}
# The vocabularies are the models' choices: a value the database accepts is one a bundle may use.
KINDS = {
    "township": tuple(Township.Kind.values),
    "village": tuple(Village.Kind.values),
}
PROTECTED_KINDS = tuple(ProtectedArea.Kind.values)
PROTECTED_LEVELS = tuple(ProtectedArea.Level.values)
ZONES = tuple(ProtectedArea.Zone.values)
DEPARTMENT_KINDS = tuple(Department.Kind.values)
TEAM_KINDS = tuple(Team.Kind.values)
ACTION_TYPES = tuple(CatalogItem.ActionType.values)
WHISTLE_KINDS = tuple(CatalogItem.WhistleKind.values)
AUTHORITY_KINDS = tuple(Authority.Kind.values)

# The tables' columns (DESIGN §5), in the order a county's spreadsheet would have them.
TABLE_COLUMNS = {
    "departments": ("code", "name", "kind"),
    "teams": ("code", "name", "kind", "township_code", "department_code", "lon", "lat"),
    "hubs": ("hub_township_code", "covered_township_codes"),
    "catalogue": ("code", "name", "domain", "action_type", "legal_basis", "department_code",
                  "supporting_department_codes", "whistle_kind"),
    "authority": ("township_code", "item_code", "authority", "entrusting_department_code"),
}

# Where GCJ-02 applies (its formula is the identity outside China).


# --- helpers shared by layers and tables --------------------------------------------------

def require_columns(frame: pd.DataFrame, file: str, columns, report: Report) -> bool:
    missing = [c for c in columns if c not in frame.columns]
    for col in missing:
        report.problem(file, "", col, "missing column")
    return not missing


def check_nonempty(frame, file, columns, report, label) -> pd.Series:
    bad = pd.Series(False, index=frame.index)
    for col in columns:
        empty = frame[col] == ""
        for i in frame.index[empty]:
            report.problem(file, label(i, frame), col, "empty")
        bad |= empty
    return ~bad


def check_enum(frame, file, col, allowed, report, label, *, required=True) -> pd.Series:
    if col not in frame.columns:
        return pd.Series(not required, index=frame.index)
    values = frame[col]
    bad = ~values.isin(allowed) & ((values != "") | required)
    for i in frame.index[bad]:
        report.problem(file, label(i, frame), col,
                       f"unknown value {values[i]!r}; expected one of {', '.join(allowed)}")
    return ~bad


def check_unique(frame, file, columns, report, label) -> pd.Series:
    """Every occurrence of a duplicated key is reported, naming the other rows."""
    dup = frame.duplicated(subset=list(columns), keep=False) & (frame[list(columns)] != "").all(axis=1)
    for _, group in frame[dup].groupby(list(columns), sort=True):
        where = [label(i, frame) for i in group.index]
        key = ", ".join(f"{c} {group.iloc[0][c]}" for c in columns)
        for i in group.index:
            others = ", ".join(w for w in where if w != label(i, frame))
            report.problem(file, label(i, frame), "/".join(columns), f"duplicate {key} (also {others})")
    return ~dup


def check_refs(frame, file, col, known, what, report, label, *, required=True,
               as_list=False) -> pd.Series:
    """Each value of `col` (or each ';'-separated item of it) must be in `known`."""
    ok = pd.Series(True, index=frame.index)
    if col not in frame.columns:
        return ok
    for i, value in frame[col].items():
        values = split_list(value) if as_list else ([value] if value else [])
        if not values and required:
            report.problem(file, label(i, frame), col, "empty")
            ok[i] = False
        for v in values:
            if v not in known:
                report.problem(file, label(i, frame), col, f"unknown {what} {v!r}")
                ok[i] = False
    return ok


def split_list(cell: str) -> list[str]:
    return [part.strip() for part in str(cell).replace("；", ";").split(";") if part.strip()]


def row_labeller(i, frame):
    return row_label(i)


# --- administrative layers ----------------------------------------------------------------

def check_units(layer: Layer, level: str, report: Report, *, repair: bool) -> pd.DataFrame | None:
    """Attributes and geometry of one administrative layer -> rows ready for staging."""
    frame, file = layer.frame, layer.file
    if not require_columns(frame, file, ("code", "name"), report):
        return None
    ok = check_nonempty(frame, file, ("code", "name"), report, feature_labeller)
    length = LEVEL_CODE_LENGTH[level]
    bad_code = (frame["code"] != "") & ~frame["code"].str.fullmatch(rf"\d{{{length}}}")
    for i in frame.index[bad_code]:
        report.problem(file, feature_labeller(i, frame), "code",
                       f"a {level} code has {length} digits, got {frame.at[i, 'code']!r}")
    ok &= ~bad_code
    ok &= check_unique(frame, file, ("code",), report, feature_labeller)
    kind = _kinds(frame, level)
    if level in KINDS and "kind" in frame.columns:
        ok &= check_enum(frame, file, "kind", KINDS[level], report, feature_labeller, required=False)
    if level == "county" and len(frame) != 1:
        report.problem(file, "", "", f"a bundle holds one county; this layer has {len(frame)} features")
    geoms = layer_geometries(layer, report, repair=repair)
    ok &= pd.Series([g is not None for g in geoms], index=frame.index)
    parent = pd.Series("", index=frame.index)
    if level in PARENT_LEVEL:
        plen = LEVEL_CODE_LENGTH[PARENT_LEVEL[level]]
        parent = frame["code"].str[:plen]
        if "parent_code" in frame.columns:
            parent = frame["parent_code"].where(frame["parent_code"] != "", parent)
    rows = pd.DataFrame({"level": level, "code": frame["code"], "name": frame["name"],
                         "kind": kind, "parent_code": parent, "file": file,
                         "label": [feature_labeller(i, frame) for i in frame.index]})
    rows["geom"] = geoms
    return rows[ok.values]


def _kinds(frame: pd.DataFrame, level: str) -> pd.Series:
    """The `kind` attribute where given; else what the name says (镇/乡/街道, 村/社区)."""
    given = frame["kind"] if "kind" in frame.columns else pd.Series("", index=frame.index)
    if level == "township":
        guess = np.select([frame["name"].str.endswith("街道"), frame["name"].str.endswith("乡")],
                          ["subdistrict", "township"], "town")
    elif level == "village":
        guess = np.where(frame["name"].str.endswith("社区"), "community", "village")
    else:
        guess = np.full(len(frame), "")
    return given.where(given != "", pd.Series(guess, index=frame.index))


def check_protected_areas(layer: Layer, report: Report, *, repair: bool) -> pd.DataFrame | None:
    frame, file = layer.frame, layer.file
    columns = ("code", "name", "kind", "level", "zone", "authority")
    if not require_columns(frame, file, columns, report):
        return None
    ok = check_nonempty(frame, file, ("code", "name", "authority"), report, feature_labeller)
    ok &= check_enum(frame, file, "kind", PROTECTED_KINDS, report, feature_labeller)
    ok &= check_enum(frame, file, "level", PROTECTED_LEVELS, report, feature_labeller)
    ok &= check_enum(frame, file, "zone", ZONES, report, feature_labeller)
    ok &= check_unique(frame, file, ("code", "zone"), report, feature_labeller)
    geoms = layer_geometries(layer, report, repair=repair)
    ok &= pd.Series([g is not None for g in geoms], index=frame.index)
    rows = frame[list(columns)].copy()
    rows["file"] = file
    rows["label"] = [feature_labeller(i, frame) for i in frame.index]
    rows["geom"] = geoms
    return rows[ok.values]


# --- tables -------------------------------------------------------------------------------

def check_departments(file, frame, report) -> pd.DataFrame | None:
    if not require_columns(frame, file, TABLE_COLUMNS["departments"], report):
        return None
    ok = check_nonempty(frame, file, ("code", "name"), report, row_labeller)
    ok &= check_enum(frame, file, "kind", DEPARTMENT_KINDS, report, row_labeller)
    ok &= check_unique(frame, file, ("code",), report, row_labeller)
    return frame[ok]


def check_teams(file, frame, report, *, townships, departments, crs: CRS) -> pd.DataFrame | None:
    if not require_columns(frame, file, TABLE_COLUMNS["teams"], report):
        return None
    ok = check_nonempty(frame, file, ("code", "name"), report, row_labeller)
    ok &= check_enum(frame, file, "kind", TEAM_KINDS, report, row_labeller)
    ok &= check_unique(frame, file, ("code",), report, row_labeller)
    ok &= check_refs(frame, file, "township_code", townships, "township", report, row_labeller,
                     required=False)
    ok &= check_refs(frame, file, "department_code", departments, "department", report,
                     row_labeller, required=False)
    for i in frame.index:
        kind = frame.at[i, "kind"]
        if kind == Team.Kind.TOWNSHIP_TEAM and not frame.at[i, "township_code"]:
            report.problem(file, row_label(i), "township_code", "a township_team needs its township")
            ok[i] = False
        if kind in (Team.Kind.DEPARTMENT, Team.Kind.MARINE) and not frame.at[i, "department_code"]:
            report.problem(file, row_label(i), "department_code", f"a {kind} team needs its department")
            ok[i] = False
    lon = pd.to_numeric(frame["lon"].where(frame["lon"] != ""), errors="coerce")
    lat = pd.to_numeric(frame["lat"].where(frame["lat"] != ""), errors="coerce")
    for col, values in (("lon", lon), ("lat", lat)):
        bad = values.isna() & (frame[col] != "")
        for i in frame.index[bad]:
            report.problem(file, row_label(i), col, f"not a number: {frame.at[i, col]!r}")
        ok &= ~bad
    one_only = lon.isna() != lat.isna()
    for i in frame.index[one_only & ok]:
        report.problem(file, row_label(i), "lon/lat", "give both lon and lat, or neither")
    ok &= ~one_only
    frame = frame.assign(x=lon, y=lat)
    has = ok & lon.notna()
    if has.any():
        geoms = shapely.points(frame.loc[has, "x"].to_numpy(), frame.loc[has, "y"].to_numpy())
        layer = Layer(name="teams", file=file, frame=frame.loc[has].reset_index(drop=True),
                      geoms=geoms, crs=crs)
        wgs = _point_positions(layer, report, frame.index[has])
        frame.loc[has, "x"] = [g.x if g is not None else np.nan for g in wgs]
        frame.loc[has, "y"] = [g.y if g is not None else np.nan for g in wgs]
        ok &= ~(has & frame["x"].isna())
    return frame[ok]


def _point_positions(layer: Layer, report: Report, rows) -> list:
    """Team bases through the same CRS plausibility checks as the layers."""
    geoms = layer.geoms
    bounds = shapely.bounds(geoms)
    w, s, e, n = area_of_use(layer.crs.name)
    out = []
    swapped = (np.abs(bounds[:, 1]) > 90) | (np.abs(bounds[:, 0]) > 180) if layer.crs.is_geographic \
        else np.zeros(len(geoms), dtype=bool)
    wgs = transform_geometries(np.where(swapped, shapely.points(0, 0), geoms), layer.crs)
    for k, (row, g) in enumerate(zip(rows, wgs)):
        x, y = shapely.get_x(g), shapely.get_y(g)
        m = AREA_MARGIN_DEG
        if swapped[k] or not (np.isfinite(x) and np.isfinite(y) and w - m <= x <= e + m
                              and s - m <= y <= n + m):
            report.problem(layer.file, row_label(row), "lon/lat",
                           f"({bounds[k, 0]:g}, {bounds[k, 1]:g}) cannot be a position in {layer.crs} "
                           "(longitude and latitude swapped?)")
            out.append(None)
        else:
            out.append(g)
    return out


def check_hubs(file, frame, report, *, townships) -> pd.DataFrame | None:
    if not require_columns(frame, file, TABLE_COLUMNS["hubs"], report):
        return None
    ok = check_refs(frame, file, "hub_township_code", townships, "township", report, row_labeller)
    ok &= check_refs(frame, file, "covered_township_codes", townships, "township", report,
                     row_labeller, as_list=True)
    ok &= check_unique(frame, file, ("hub_township_code",), report, row_labeller)
    covered_by: dict[str, int] = {}
    for i in frame.index:
        hub = frame.at[i, "hub_township_code"]
        for code in split_list(frame.at[i, "covered_township_codes"]):
            if code == hub:
                report.problem(file, row_label(i), "covered_township_codes",
                               f"hub {hub} cannot cover itself")
                ok[i] = False
            elif code in covered_by and covered_by[code] != i:
                report.problem(file, row_label(i), "covered_township_codes",
                               f"township {code} is already covered by the hub in {row_label(covered_by[code])}")
                ok[i] = False
            covered_by.setdefault(code, i)
    return frame[ok]


def check_catalogue(file, frame, report, *, departments) -> pd.DataFrame | None:
    if not require_columns(frame, file, TABLE_COLUMNS["catalogue"], report):
        return None
    ok = check_nonempty(frame, file, ("code", "name"), report, row_labeller)
    ok &= check_enum(frame, file, "action_type", ACTION_TYPES, report, row_labeller)
    ok &= check_enum(frame, file, "whistle_kind", WHISTLE_KINDS, report, row_labeller)
    ok &= check_unique(frame, file, ("code",), report, row_labeller)
    ok &= check_refs(frame, file, "department_code", departments, "department", report, row_labeller)
    ok &= check_refs(frame, file, "supporting_department_codes", departments, "department", report,
                     row_labeller, required=False, as_list=True)
    return frame[ok]


def check_authority(file, frame, report, *, townships, items, departments) -> pd.DataFrame | None:
    if not require_columns(frame, file, TABLE_COLUMNS["authority"], report):
        return None
    ok = check_refs(frame, file, "township_code", townships, "township", report, row_labeller)
    ok &= check_refs(frame, file, "item_code", items, "catalogue item", report, row_labeller)
    ok &= check_enum(frame, file, "authority", AUTHORITY_KINDS, report, row_labeller)
    ok &= check_refs(frame, file, "entrusting_department_code", departments, "department", report,
                     row_labeller, required=False)
    needs = (frame["authority"] == "entrusted") & (frame["entrusting_department_code"] == "")
    for i in frame.index[needs]:
        report.problem(file, row_label(i), "entrusting_department_code",
                       "an entrusted item names the department that entrusts it")
    ok &= ~needs
    ok &= check_unique(frame, file, ("township_code", "item_code"), report, row_labeller)
    return frame[ok]


def check_network(layer: Layer, report: Report) -> dict | None:
    """Roads and ferry links (optional layer): lines with kind, speed_kmh, optional oneway."""
    from boundaries.network import network_problems

    frame, file = layer.frame, layer.file
    if not require_columns(frame, file, ("kind", "speed_kmh"), report):
        return None
    geoms = wgs84_geometries(layer, report, LINES)
    oneways = list(frame["oneway"]) if "oneway" in frame.columns else None
    usable = [i for i, g in enumerate(geoms) if g is not None]
    problems = network_problems([geoms[i] for i in usable], [frame.at[i, "kind"] for i in usable],
                                [frame.at[i, "speed_kmh"] for i in usable],
                                [oneways[i] for i in usable] if oneways else None)
    for k, field, reason in problems:
        report.problem(file, feature_label(usable[k]), field, reason)
    return {"geoms": list(geoms), "kinds": list(frame["kind"]), "speeds": list(frame["speed_kmh"]),
            "oneways": oneways}


def check_zone_authorities(protected: pd.DataFrame, report: Report, departments) -> pd.DataFrame:
    ok = pd.Series(True, index=protected.index)
    for i, row in protected.iterrows():
        if row["authority"] not in departments:
            report.problem(row["file"], row["label"], "authority", f"unknown department {row['authority']!r}")
            ok[i] = False
    return protected[ok]
