"""Which grids were patrolled in a period, as an expression a grid queryset can carry.

The definition is the patrols app's (gis_app/patrols/coverage.py): a grid is patrolled when a
segment of a patrol line (segments.py: consecutive fixes joined unless a gap breaks them,
cut to the period) of a team of the grid's county intersects it. coverage.py computes the
full report (visits, seconds) per county through temporary tables; a map layer only needs
yes/no per grid, inside any query (tiles of a few grids, OGC pages), so this is the same
rule as one uncorrelated IN subquery that PostgreSQL evaluates once per query.

Raw SQL because the segments are a window function over fixes (segments.segments_sql).
"""
from __future__ import annotations

import re
from datetime import datetime

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from boundaries.models import Grid
from gis_app.enforcement.models import Team
from gis_app.patrols import segments

GRID = Grid._meta.db_table
TEAM = Team._meta.db_table
_NAMED = re.compile(r"%\((\w+)\)s")


def positional(sql: str, params: dict) -> tuple[str, list]:
    """`%(name)s` placeholders -> `%s` with the values in order (RawSQL takes a list)."""
    values: list = []

    def take(match):
        values.append(params[match.group(1)])
        return "%s"

    return _NAMED.sub(take, sql), values


def patrolled_grids(county_ids: list[int] | None, start: datetime, end: datetime) -> RawSQL:
    """Boolean expression on a Grid queryset: patrolled in [start, end) by its county's teams.
    `county_ids` None means every county (superuser)."""
    params = {**segments.gap_params(), **segments.window_params([(start, end)]),
              "counties": county_ids or []}
    track_filter = ("TRUE" if county_ids is None else
                    f"tr.team_id IN (SELECT id FROM {TEAM} WHERE county_id = ANY(%(counties)s))")
    inner = segments.segments_sql(track_filter)
    sql = (f'"{GRID}"."id" IN (SELECT g2.id FROM ({inner}) s '
           f"JOIN {TEAM} tm ON tm.id = s.team_id "
           f"JOIN {GRID} g2 ON g2.county_id = tm.county_id AND ST_Intersects(g2.geom, s.geom))")
    sql, values = positional(sql, params)
    return RawSQL(sql, values, output_field=BooleanField())
