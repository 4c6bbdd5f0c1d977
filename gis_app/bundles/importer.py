"""Loading a territory bundle (DESIGN §5) in one transaction: all of it, or nothing.

Steps: read every file; check attributes, references and geometry (collecting every
problem); stage the geometry in PostGIS and check containment and overlaps there; then,
only if nothing is wrong, merge into the real tables. Readers keep seeing the old county
until the transaction commits (PostgreSQL MVCC), so `--replace` swaps a county while the
server keeps answering.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import ProtectedError, RestrictedError

from boundaries.models import County
from boundaries.network import replace_network
from boundaries.places import refresh_place_names
from boundaries.subdivide import refresh_county_parts
from gis_app.bundles import checks, dependants, generations, organisation, rule_tables, staging
from gis_app.bundles.places import check_places, write_places
from gis_app.bundles.problems import BundleRejected, Problem, Report
from gis_app.bundles.reader import LAYERS, TABLES, opened, read_layer, read_manifest, read_table
from boundaries.branches import refresh_grid_branches

# manifest layer name -> unit level
UNIT_LAYERS = {"county": "county", "townships": "township", "villages": "village", "grids": "grid"}


@dataclass
class ImportResult:
    county_code: str
    county_name: str
    counts: dict[str, int]
    warnings: list[Problem] = field(default_factory=list)
    replaced: bool = False
    dry_run: bool = False
    rerouted: list[str] = field(default_factory=list)  # numbers of open cases routed again
    generation: int = 0      # the county's territory generation this import made
    rule_version: int = 0    # the rule version in force after it (new only if the rules changed)


class _DryRun(Exception):
    """Raised inside the transaction to roll a successful dry run back."""


def import_bundle(path, *, replace: bool = False, dry_run: bool = False, repair: bool = False,
                  overlap_tolerance_pct: float = 1.0, reassign: bool = False) -> ImportResult:
    """Import the bundle at `path` (folder or zip); raise BundleRejected listing every problem.

    `reassign`: a replace that drops territory or teams holding open cases re-routes those
    cases (each with an audit event) instead of being refused (see `dependants`).
    """
    report = Report()
    with opened(path, report) as root:
        bundle = read_manifest(root, report) if root is not None else None
        if bundle is None:
            raise BundleRejected(report)
        layers = {name: read_layer(bundle, name, report) for name in LAYERS}
        tables = {name: read_table(bundle, name, report) for name in TABLES}

    units = {level: checks.check_units(layers[name], level, report, repair=repair)
             for name, level in UNIT_LAYERS.items() if layers[name] is not None}
    units = _drop_orphans(units, layers, report)
    county = units.get("county")
    county_code = county["code"].iloc[0] if county is not None and len(county) == 1 else None
    protected = None
    if layers["protected_areas"] is not None:
        protected = checks.check_protected_areas(layers["protected_areas"], report, repair=repair)
    network = checks.check_network(layers["network"], report) if layers["network"] is not None else None
    places = check_places(layers["places"], report) if layers["places"] is not None else None
    org = _check_tables(tables, layers, protected, report, bundle.table_crs)
    if protected is not None and org.get("department_codes") is not None:
        protected = checks.check_zone_authorities(protected, report, org["department_codes"])

    existing = County.objects.filter(code=county_code).first() if county_code else None
    if existing and not replace:
        report.problem("", "", "", f"county {county_code} ({existing.name}) is already loaded from "
                       f"{existing.bundle_name or 'a bundle'} {existing.bundle_version}; use --replace "
                       "to swap it")

    result = ImportResult(county_code=county_code or "", county_name="", counts={},
                          replaced=bool(existing), dry_run=dry_run)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                if county_code:
                    # One import per county at a time; a second waits, then sees the first's data.
                    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"bundle:{county_code}"])
                staging.create_stage(cursor)
                for rows in units.values():
                    staging.copy_rows(cursor, "stage_unit", staging.UNIT_COLUMNS, rows)
                staging.copy_rows(cursor, "stage_zone", staging.ZONE_COLUMNS, protected)
                staging.index_stage(cursor)
                staging.check_containment(cursor, report)
                staging.check_overlaps(cursor, report, tolerance_pct=overlap_tolerance_pct)
                if county_code:
                    staging.check_zones_in_county(cursor, report)
                    staging.codes_owned_elsewhere(cursor, county_code, report)
                    staging.check_team_bases(cursor, org.get("teams"), tables, report)
                detached = {}
                if existing and not report:
                    dropped = dependants.dropped_rows(cursor, existing, org)
                    dependants.check(dropped, report, reassign=reassign)
                    if not report:
                        detached = dependants.detach_open_cases(dropped)
                if report:
                    raise BundleRejected(report)
                county_id = staging.merge_territory(cursor, bundle_name=bundle.name,
                                                    bundle_version=bundle.version)
                _delete_stale_territory(cursor, county_id)
                staging.drop_stage(cursor)
            county_obj = County.objects.get(pk=county_id)
            result.county_name = county_obj.name
            result.counts = _write_organisation(county_obj, org)
            result.counts["network"] = replace_network(county_obj, *_network_args(network))
            result.counts.update(_territory_counts(county_obj))
            refresh_county_parts(county_obj)
            refresh_grid_branches(county_obj)   # the router's one-lookup index (after the parts)
            if places is not None:
                result.counts["places"] = write_places(county_obj, places)
            else:
                write_places(county_obj, None)
            refresh_place_names(county_obj)     # the hotline's search index
            result.generation, result.rule_version = generations.record_import(
                county_obj, bundle_name=bundle.name, bundle_version=bundle.version)
            result.rerouted = _reroute(detached, f"{bundle.name} {bundle.version}", report)
            result.warnings = report.warnings
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except (ProtectedError, RestrictedError, IntegrityError, DataError) as exc:
        # The checks above should have named the cause; if one slips through, it is still
        # a named refusal of the bundle (rolled back whole), never a traceback.
        report.problem("bundle", "", "", f"the database refused the import: {exc}")
        raise BundleRejected(report) from exc
    return result


def _reroute(detached: dict[int, str | None], bundle: str, report: Report) -> list[str]:
    """Route the detached open cases again on the new territory; a case the router can no
    longer place (e.g. now outside the county) refuses the whole import, named."""
    from gis_app.enforcement.routing import Refused
    from gis_app.incidents.case_routing import case_reroute_after_import

    numbers = []
    for case_id, team_before in detached.items():
        try:
            numbers.append(case_reroute_after_import(case_id=case_id, bundle=bundle,
                                                     team_before=team_before).number)
        except Refused as exc:
            report.problem("replace", f"case id {case_id}", "", f"cannot be re-routed: {exc}")
    if report:
        raise BundleRejected(report)
    return numbers


def _network_args(network: dict | None) -> tuple:
    """A bundle without a network layer leaves its county without one."""
    if network is None:
        return [], [], [], None
    return network["geoms"], network["kinds"], network["speeds"], network["oneways"]


def _drop_orphans(units: dict, layers: dict, report: Report) -> dict:
    """A unit whose parent code is not in the bundle is refused (and so are its children)."""
    known = {level: set(rows["code"]) if rows is not None else set() for level, rows in units.items()}
    # Codes of features refused for other reasons still count as existing parents, so one
    # mistake is reported once, not again for every child.
    for name, level in UNIT_LAYERS.items():
        if layers[name] is not None and "code" in layers[name].frame.columns:
            known[level] = set(layers[name].frame["code"]) - {""}
    out = {}
    for level, rows in units.items():
        if rows is None:
            continue
        parent_level = checks.PARENT_LEVEL.get(level)
        if parent_level:
            orphan = ~rows["parent_code"].isin(known.get(parent_level, set()))
            for _, row in rows[orphan].iterrows():
                report.problem(row["file"], row["label"], "parent_code",
                               f"parent {parent_level} {row['parent_code']!r} does not exist in the bundle")
            rows = rows[~orphan]
        out[level] = rows
    return out


def _check_tables(tables, layers, protected, report, table_crs) -> dict:
    """Table references are checked against every code the bundle names (even of rows refused
    for another reason), so each mistake is reported once, where it is."""
    def raw_codes(frame_or_layer, column="code"):
        frame = getattr(frame_or_layer, "frame", frame_or_layer)
        if frame is None or column not in frame.columns:
            return set()
        return set(frame[column]) - {""}

    townships = raw_codes(layers["townships"])
    out: dict = {}
    file_frame = {name: tables[name] for name in TABLES}
    if file_frame["departments"]:
        file, frame = file_frame["departments"]
        out["departments"] = checks.check_departments(file, frame, report)
        out["department_codes"] = raw_codes(frame)
    departments = out.get("department_codes", set())
    if file_frame["teams"]:
        file, frame = file_frame["teams"]
        out["teams"] = checks.check_teams(file, frame, report, townships=townships,
                                          departments=departments, crs=table_crs)
    if file_frame["hubs"]:
        file, frame = file_frame["hubs"]
        out["hubs"] = checks.check_hubs(file, frame, report, townships=townships)
    items: set = set()
    if file_frame["catalogue"]:
        file, frame = file_frame["catalogue"]
        out["catalogue"] = checks.check_catalogue(file, frame, report, departments=departments)
        items = raw_codes(frame)
    if file_frame["authority"]:
        file, frame = file_frame["authority"]
        out["authority"] = checks.check_authority(file, frame, report, townships=townships,
                                                  items=items, departments=departments)
    domains = set()
    if file_frame["catalogue"] and "domain" in file_frame["catalogue"][1].columns:
        domains = set(file_frame["catalogue"][1]["domain"]) - {""}
    out["rules"] = rule_tables.check_rule_tables(file_frame, report, items=items, domains=domains)
    return out


def _delete_stale_territory(cursor, county_id: int) -> None:
    """Units the new bundle no longer has go, children first; through the ORM so that
    whatever points at them is handled by its on_delete rule."""
    from boundaries.models import Grid, ProtectedArea, Township, Village
    for level, model in (("grid", Grid), ("village", Village), ("township", Township)):
        model.objects.filter(county_id=county_id).exclude(code__in=staging.staged_codes(cursor, level)).delete()
    keep = staging.staged_zone_keys(cursor)
    stale = [pa.pk for pa in ProtectedArea.objects.filter(county_id=county_id).only("code", "zone")
             if (pa.code, pa.zone) not in set(keep)]
    ProtectedArea.objects.filter(pk__in=stale).delete()


def _write_organisation(county: County, org: dict) -> dict[str, int]:
    departments = organisation.write_departments(county, org.get("departments"))
    teams = organisation.write_teams(county, org.get("teams"), departments)
    hubs = organisation.write_hubs(county, org.get("hubs"))
    items = organisation.write_catalogue(county, org.get("catalogue"), departments)
    authority = organisation.write_authority(county, org.get("authority"), items, departments)
    return {"departments": len(departments), "teams": teams, "hubs": hubs,
            "catalogue": len(items), "authority": authority,
            **rule_tables.write_rule_tables(county, org.get("rules", {}))}


def _territory_counts(county: County) -> dict[str, int]:
    return {"county": 1, "townships": county.townships.count(), "villages": county.villages.count(),
            "grids": county.grids.count(), "protected_areas": county.protected_areas.count()}

