"""Generated GPS logs for patrol tests, the files phones would upload, and an independent
coverage computation in shapely (pyproj for geodesic metres) to check PostGIS against."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import shapely
import shapely.ops
from pyproj import Geod
from shapely.geometry import LineString, Point

from boundaries.crs import wgs84_to_gcj02

UTC = timezone.utc
T0 = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)  # Monday 08:00 in Asia/Shanghai
GEOD = Geod(ellps="WGS84")


def metres(a, b) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def walk(waypoints, start=T0, speed_kmh=5.0, step_s=20.0) -> list[tuple]:
    """Fixes (time, lon, lat) along the polyline at constant speed, every `step_s` seconds
    and at every waypoint."""
    speed = speed_kmh / 3.6
    fixes = [(start, *waypoints[0])]
    t = start
    for a, b in zip(waypoints, waypoints[1:]):
        d = metres(a, b)
        duration = d / speed
        n = max(1, int(duration // step_s))
        for k in range(1, n + 1):
            f = k / n
            fixes.append((t + timedelta(seconds=duration * f), a[0] + (b[0] - a[0]) * f,
                          a[1] + (b[1] - a[1]) * f))
        t += timedelta(seconds=duration)
    return fixes


def stay(at, start, seconds, step_s=30.0) -> list[tuple]:
    """Fixes standing still at `at` for `seconds`."""
    n = int(seconds // step_s)
    return [(start + timedelta(seconds=k * step_s), *at) for k in range(n + 1)]


def to_gcj02(fixes):
    lon, lat = wgs84_to_gcj02([f[1] for f in fixes], [f[2] for f in fixes])
    return [(f[0], float(x), float(y)) for f, x, y in zip(fixes, lon, lat)]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def csv_file(fixes, header=True, accuracy=None) -> io.BytesIO:
    lines = ["time,lon,lat,accuracy"] if header else []
    for t, x, y in fixes:
        lines.append(f"{iso(t)},{x!r},{y!r},{'' if accuracy is None else accuracy}")
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def gpx_file(fixes) -> io.BytesIO:
    points = "".join(f'<trkpt lat="{y!r}" lon="{x!r}"><ele>5</ele><time>{iso(t)}</time></trkpt>'
                     for t, x, y in fixes)
    return io.BytesIO(('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" '
                       'xmlns="http://www.topografix.com/GPX/1/1"><trk><name>t</name><trkseg>'
                       f'{points}</trkseg></trk></gpx>').encode())


def geojson_file(fixes, as_line=False) -> io.BytesIO:
    if as_line:
        data = {"type": "FeatureCollection", "features": [{
            "type": "Feature", "properties": {"coordTimes": [iso(t) for t, _, _ in fixes]},
            "geometry": {"type": "LineString", "coordinates": [[x, y] for _, x, y in fixes]}}]}
    else:
        data = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"time": iso(t)},
             "geometry": {"type": "Point", "coordinates": [x, y]}} for t, x, y in fixes]}
    return io.BytesIO(json.dumps(data).encode())


# --- the reference computation ------------------------------------------------------------

@dataclass
class RefGrid:
    first: datetime | None = None
    last: datetime | None = None
    visits: int = 0
    seconds: float = 0.0


def reference_coverage(tracks, grids: dict, start=None, end=None, gap_s=600.0, gap_m=1000.0,
                       join_s=1.0) -> dict:
    """{grid code: RefGrid} for the grids some segment intersects, computed in shapely.

    `tracks` are lists of (time, lon, lat) in WGS84; `grids` maps code -> shapely polygon.
    Same definition as the spec: consecutive fixes joined unless more than `gap_s` seconds or
    `gap_m` geodesic metres apart; segments cut to [start, end) at constant speed.
    """
    pieces: dict[str, list] = {}
    for index, track in enumerate(tracks):
        track = sorted(track)
        for (t0, x0, y0), (t1, x1, y1) in zip(track, track[1:]):
            dt = (t1 - t0).total_seconds()
            if dt > gap_s or metres((x0, y0), (x1, y1)) > gap_m:
                continue
            f0 = max(0.0, (start - t0).total_seconds() / dt) if start else 0.0
            f1 = min(1.0, (end - t0).total_seconds() / dt) if end else 1.0
            if f1 <= f0:
                continue
            s0, s1 = t0 + timedelta(seconds=dt * f0), t0 + timedelta(seconds=dt * f1)
            still = (x0, y0) == (x1, y1)
            seg = Point(x0, y0) if still else shapely.ops.substring(
                LineString([(x0, y0), (x1, y1)]), f0, f1, normalized=True)
            for code, poly in grids.items():
                if not seg.intersects(poly):
                    continue
                if still:
                    pieces.setdefault(code, []).append((index, s0, s1, (s1 - s0).total_seconds()))
                    continue
                inter = seg.intersection(poly)
                parts = list(shapely.get_parts(inter)) or [shapely.ops.nearest_points(seg, poly)[0]]
                for part in parts:
                    ends = [Point(c) for c in part.coords]
                    fr = [seg.project(p, normalized=True) for p in (ends[0], ends[-1])]
                    a, b = min(fr), max(fr)
                    span = (s1 - s0).total_seconds()
                    pieces.setdefault(code, []).append(
                        (index, s0 + timedelta(seconds=span * a), s0 + timedelta(seconds=span * b),
                         span * part.length / seg.length))
    out = {}
    for code, rows in pieces.items():
        ref = RefGrid()
        ref.first = min(r[1] for r in rows)
        ref.last = max(r[2] for r in rows)
        ref.seconds = sum(r[3] for r in rows)
        for index in {r[0] for r in rows}:
            before = None
            for _, entered, left, _ in sorted((r for r in rows if r[0] == index), key=lambda r: (r[1], r[2])):
                if before is None or (entered - before).total_seconds() > join_s:
                    ref.visits += 1
                before = left if before is None else max(before, left)
        out[code] = ref
    return out


def grid_shapes(territory) -> dict:
    return {g.code: shapely.from_wkb(bytes(g.geom.wkb)) for g in territory.grids}
