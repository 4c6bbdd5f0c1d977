"""Run by tests/test_read_replica.py in a process of its own, whose settings have both
DATABASE_URL (the primary) and DATABASE_REPLICA_URL (its streaming standby): sends requests
as the demo's command centre through the whole Django stack and prints, as JSON, which
database answered each one's queries, and whether each database is in recovery (a standby).
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_app.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from boundaries.models import County, Grid  # noqa: E402
from gis_app.enforcement.models import CatalogItem  # noqa: E402

ALIASES = ("default", "replica")
served: dict[str, list[str]] = {alias: [] for alias in ALIASES}


def recorder(alias):
    def record(execute, sql, params, many, context):
        served[alias].append(sql)
        return execute(sql, params, many, context)
    return record


def tile_of(lon, lat, z=14):
    import math
    n = 2 ** z
    return z, int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def main() -> None:
    county = County.objects.get(code="330922")
    grid = Grid.objects.filter(county=county).order_by("code").first()
    point = grid.geom.point_on_surface
    item = CatalogItem.objects.filter(county=county).order_by("code").first()
    user = get_user_model().objects.get(username="command")
    token = Token.objects.get_or_create(user=user)[0]
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    z, x, y = tile_of(point.x, point.y)
    out = {"recovery": {}, "requests": {}}
    for alias in ALIASES:
        with connections[alias].cursor() as cur:
            cur.execute("SELECT pg_is_in_recovery()")
            out["recovery"][alias] = cur.fetchone()[0]

    def send(name, method, path, data=None, **extra):
        for alias in ALIASES:
            served[alias].clear()
        response = getattr(client, method)(path, data or {}, **extra)
        out["requests"][name] = {"status": response.status_code,
                                 **{alias: list(served[alias]) for alias in ALIASES}}
        return response

    with connections["default"].execute_wrapper(recorder("default")), \
            connections["replica"].execute_wrapper(recorder("replica")):
        send("tile", "get", f"/tiles/grids/{z}/{x}/{y}.pbf")
        send("ogc items", "get", "/ogc/collections/grids/items", {"limit": 5})
        send("township list", "get", "/api/townships/")
        send("statistics", "get", "/api/cases/statistics/", {"group_by": "township"})
        created = send("intake", "post", "/api/cases/", json.dumps(
            {"lon": point.x, "lat": point.y, "item": item.code, "description": "只读副本测试"}),
            content_type="application/json")
        body = created.json()
        case = body.get("properties", body)
        case_id = body.get("id") or case.get("id")
        out["case"] = {"id": case_id, "number": case.get("number"), "steps": case.get("allowed_steps")}
        for step in case.get("allowed_steps") or []:
            response = send("step", "post", f"/api/cases/{case_id}/{step}/",
                            json.dumps({"version": case.get("version", 1), "note": "ok"}),
                            content_type="application/json")
            if response.status_code == 200:
                out["step"] = step
                break
    # The new case reaches the standby by streaming replication (no timed assertion: the
    # test only asks whether it arrived).
    from gis_app.incidents.models import Case
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Case.objects.using("replica").filter(pk=case_id).exists():
            out["replicated"] = True
            break
        time.sleep(0.2)
    else:
        out["replicated"] = False
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
