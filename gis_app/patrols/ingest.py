"""Reading and cleaning an uploaded GPS log: GPX, GeoJSON or CSV, in WGS84 or GCJ-02.

Plain Python, no database: `read_upload` turns the file into arrays of fixes in WGS84, and
`clean` decides which fixes to keep. Storing them is `services.store_track`.

Two kinds of trouble, handled differently:
- a *malformed* upload (not the format it claims, a row without a readable time or
  coordinate, coordinates that are not longitude/latitude, no fixes at all) is refused whole
  with `MalformedUpload`, listing every problem (index, line, field, reason): nothing is
  stored, because a file that half parses cannot be trusted;
- a well-formed log with bad *fixes* (duplicates, times out of order, two places at one
  time, jumps faster than PATROL_MAX_SPEED_KMH) keeps its good fixes; every dropped fix is
  reported with its index in the file and its reason, never silently kept or lost.

The readers live beside this: collector.py (Fixes, MalformedUpload, times, the Collector),
csv_reader.py (CSV, with csv_columns.py converting a column at a time), gpx_geojson.py.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from boundaries.crs import CRS, CRSError, parse_crs
from gis_app.patrols.collector import Collector, Fixes, MalformedUpload, iso, local_zone
from gis_app.patrols.csv_reader import read_csv
from gis_app.patrols.gpx_geojson import read_geojson, read_gpx

FORMATS = ("gpx", "geojson", "csv")
EARTH_RADIUS_M = 6_371_008.8  # mean radius; the speed check needs metres, not exact geodesics


# --- format detection ---------------------------------------------------------------------

def detect_format(filename: str | None, head: bytes) -> str | None:
    """The format from the file name's extension, else from its first character."""
    name = (filename or "").lower()
    for ext, fmt in ((".gpx", "gpx"), (".geojson", "geojson"), (".json", "geojson"),
                     (".csv", "csv"), (".txt", "csv")):
        if name.endswith(ext):
            return fmt
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return "gpx"
    if text.startswith(b"{"):
        return "geojson"
    if text:
        return "csv"
    return None


# --- reading -------------------------------------------------------------------------------

def read_upload(stream, filename: str | None = None, crs: str | CRS | None = None,
                fmt: str | None = None) -> Fixes:
    """Read a whole upload into WGS84 fixes, or raise MalformedUpload listing every problem.

    `crs` is the CRS of the coordinates (EPSG:4326 by default; GCJ02 for Chinese phone apps);
    a GeoJSON file's own `crs` member is used when `crs` is not given.
    """
    given = None
    if crs is not None and not isinstance(crs, CRS):
        try:
            given = parse_crs(crs)
        except CRSError as exc:
            raise MalformedUpload(fmt, [{"field": "crs", "reason": str(exc)}]) from None
    elif isinstance(crs, CRS):
        given = crs
    if fmt is None:
        head = stream.read(512)
        stream.seek(0)
        fmt = detect_format(filename, head)
        if fmt is None:
            raise MalformedUpload(None, [{"field": "file", "reason": "is empty"}])
    if fmt not in FORMATS:
        raise MalformedUpload(fmt, [{"field": "format", "reason": f"{fmt!r} is not one of {', '.join(FORMATS)}"}])
    zone = local_zone()
    collector = Collector(fmt, zone)
    named = None
    if fmt == "csv":
        read_csv(stream, collector)
    elif fmt == "gpx":
        read_gpx(stream, collector)
    else:
        named = read_geojson(stream, collector)
    fixes = collector.result(given or named or parse_crs(None))
    if fmt == "csv":
        fixes.notes.append(f"times without an offset are read as {settings.TIME_ZONE}")
    return fixes


# --- cleaning ------------------------------------------------------------------------------

@dataclass
class Cleaned:
    """Which fixes to keep (boolean mask in file order) and why each other one was dropped."""

    keep: np.ndarray
    dropped: list[dict]

    @property
    def kept(self) -> int:
        return int(self.keep.sum())

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for entry in self.dropped:
            out[entry["reason"]] = out.get(entry["reason"], 0) + 1
        return out


def haversine_m(lon1, lat1, lon2, lat2):
    """Great-circle metres between points (arrays or scalars)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(1.0, a)))


def _longest_time_ordered(times: np.ndarray, candidates: np.ndarray) -> set[int]:
    """Indices (among `candidates`, in file order) of the longest subsequence whose times never
    go back: the fixes that agree on the order; the rest are out of order. O(n log n)."""
    tails: list[int] = []        # tails[k] = smallest last time of an ordered run of length k+1
    tail_index: list[int] = []   # candidate position of that last element
    parent = np.full(len(candidates), -1, dtype=np.int64)
    for pos, i in enumerate(candidates):
        t = times[i]
        k = bisect_right(tails, t)
        if k == len(tails):
            tails.append(t)
            tail_index.append(pos)
        else:
            tails[k] = t
            tail_index[k] = pos
        parent[pos] = tail_index[k - 1] if k > 0 else -1
    chosen = set()
    pos = tail_index[-1] if tail_index else -1
    while pos >= 0:
        chosen.add(int(candidates[pos]))
        pos = parent[pos]
    return chosen


def clean(fixes: Fixes, max_speed_kmh: float | None = None) -> Cleaned:
    """Decide which fixes to keep. In order of precedence, a fix is dropped as:
    - `duplicate`: same time and place as an earlier fix of the file;
    - `out_of_order`: its time goes against the file's order (the longest run of fixes whose
      times never go back is kept, so one wrong clock reading costs one fix, not the rest);
    - `same_time`: same time as the fix kept before it but elsewhere (a jump in zero time);
    - `too_fast`: reaching it from the fix kept before it needs more than `max_speed_kmh`.
    A fix that stays where the previous one was (standing still) is kept: time spent in a
    place counts.
    """
    max_speed_kmh = settings.PATROL_MAX_SPEED_KMH if max_speed_kmh is None else max_speed_kmh
    n = len(fixes)
    times, lon, lat = fixes.times_us, fixes.lon, fixes.lat
    keep = np.ones(n, dtype=bool)
    dropped: list[dict] = []

    def drop(i, reason, detail):
        keep[i] = False
        dropped.append({"index": int(i), "reason": reason, "time": iso(times[i]), "detail": detail})

    # Duplicates: fixes sorted by (time, lon, lat), file order kept among equals (a stable
    # sort); each later one of a run of equals repeats the run's first.
    order = np.lexsort((lat, lon, times))
    same = np.flatnonzero((np.diff(times[order]) == 0) & (np.diff(lon[order]) == 0)
                          & (np.diff(lat[order]) == 0)) + 1
    first = order.copy()
    for k in same:      # in sorted order: the run's first is already known at k - 1
        first[k] = first[k - 1]
    for k in sorted(same, key=lambda k: order[k]):
        drop(order[k], "duplicate", f"same time and place as fix {first[k]}")

    candidates = np.flatnonzero(keep)
    if len(candidates) > 1 and np.any(np.diff(times[candidates]) < 0):
        ordered = _longest_time_ordered(times, candidates)
        for i in candidates:
            if int(i) not in ordered:
                drop(i, "out_of_order", "its time is earlier than a fix before it in the file")

    survivors = np.flatnonzero(keep)
    if len(survivors) > 1:
        # Metres from each survivor to the next, in one vectorised pass; after a drop the
        # distance from the last kept fix is computed afresh.
        step_m = haversine_m(lon[survivors[:-1]], lat[survivors[:-1]], lon[survivors[1:]], lat[survivors[1:]])
        limit_ms = max_speed_kmh / 3.6
        # Up to the first step back in time or too fast nothing is dropped (the same
        # arithmetic as the loop, vectorised); the loop starts there.
        step_s = np.diff(times[survivors]) / 1e6
        with np.errstate(divide="ignore", invalid="ignore"):
            bad = np.flatnonzero((step_s <= 0) | (step_m / step_s > limit_ms))
        start = int(bad[0]) if len(bad) else len(survivors) - 1
        prev = survivors[start]
        for k, i in enumerate(survivors[start + 1:], start=start):
            dt = (times[i] - times[prev]) / 1e6
            if dt <= 0:
                drop(i, "same_time", f"same time as fix {prev}, another place")
                continue
            if prev == survivors[k]:
                metres = float(step_m[k])
            else:
                metres = float(haversine_m(lon[prev], lat[prev], lon[i], lat[i]))
            speed = metres / dt
            if speed > limit_ms:
                drop(i, "too_fast", f"{metres:.0f} m in {dt:g} s from fix {prev} = {speed * 3.6:.0f} km/h, "
                                    f"over the {max_speed_kmh:g} km/h limit")
                continue
            prev = i
    dropped.sort(key=lambda d: d["index"])
    return Cleaned(keep, dropped)
