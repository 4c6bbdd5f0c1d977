"""The bundle's optional `places` layer: named points or lines the hotline searches
(landmarks, roads, enterprises). Attributes `code`, `name`, optional `kind`; checked like
the other layers (every mistake named), replaced per county inside the import transaction.
"""
from __future__ import annotations

import pandas as pd
import shapely
from django.contrib.gis.geos import GEOSGeometry

from boundaries.models import County, Place
from gis_app.bundles.checks import (check_nonempty, check_unique, feature_labeller, require_columns,
                                    wgs84_geometries)
from gis_app.bundles.problems import Report
from gis_app.bundles.reader import Layer

POINTS_OR_LINES = ((0, 1, 4, 5), "a point or a line (Point, LineString or their Multi- forms)")


def check_places(layer: Layer, report: Report) -> pd.DataFrame | None:
    frame, file = layer.frame, layer.file
    if not require_columns(frame, file, ("code", "name"), report):
        return None
    ok = check_nonempty(frame, file, ("code", "name"), report, feature_labeller)
    ok &= check_unique(frame, file, ("code",), report, feature_labeller)
    geoms = wgs84_geometries(layer, report, POINTS_OR_LINES)
    ok &= pd.Series([g is not None for g in geoms], index=frame.index)
    out = frame[ok].copy()
    out["kind"] = out["kind"] if "kind" in out.columns else ""
    out["geom"] = [geoms[i] for i in out.index]
    return out


def write_places(county: County, rows: pd.DataFrame | None) -> int:
    Place.objects.filter(county=county).delete()
    if rows is None:
        return 0
    Place.objects.bulk_create([
        Place(county=county, code=r["code"], name=r["name"], kind=r["kind"],
              geom=GEOSGeometry(memoryview(shapely.to_wkb(r["geom"])), srid=4326))
        for _, r in rows.iterrows()])
    return len(rows)
