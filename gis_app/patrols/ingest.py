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

GPX is read with the standard library's streaming XML parser (expat, which refuses entity
expansion attacks) rather than gpxpy: gpxpy builds an object per field and took 11 s for
100,000 points here, where this reads them in well under a second.
"""
from __future__ import annotations

import csv
import io
import json
import math
import xml.etree.ElementTree as ET
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import islice
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings

from boundaries.crs import CRS, CRSError, check_lonlat, parse_crs, to_wgs84
from gis_app.patrols import csv_columns

FORMATS = ("gpx", "geojson", "csv")
MAX_PROBLEMS_LISTED = 50
EARTH_RADIUS_M = 6_371_008.8  # mean radius; the speed check needs metres, not exact geodesics


class MalformedUpload(Exception):
    """The upload cannot be read as a GPS log; nothing of it may be stored.

    `stopped`: reading stopped early at a limit (PATROL_MAX_PROBLEMS problems, or more than
    PATROL_MAX_FIXES fixes), so `problems` is not the whole file's list: a refused file
    costs bounded memory and time however large and however bad it is.
    """

    def __init__(self, fmt: str | None, problems: list[dict], detail: str | None = None,
                 stopped: str | None = None):
        self.format = fmt
        self.problems = problems
        self.stopped = stopped
        self.detail = detail or _summary(fmt, problems)
        if stopped:
            self.detail += f"; reading stopped: {stopped}"
        super().__init__(self.detail)

    def as_dict(self) -> dict:
        out = {"error": "malformed_upload", "detail": self.detail, "format": self.format,
               "problem_count": len(self.problems), "problems": self.problems[:MAX_PROBLEMS_LISTED],
               "stored": False}
        if self.stopped:
            out["stopped"] = self.stopped
        return out


def _summary(fmt, problems) -> str:
    what = f"{fmt} upload" if fmt else "upload"
    if not problems:
        return f"{what} refused"
    first = problems[0]
    where = " ".join(f"{k} {first[k]}" for k in ("line", "index") if k in first)
    return (f"{what} refused, nothing stored: {len(problems)} problem(s); first: "
            f"{where + ': ' if where else ''}{first.get('field', '')}: {first['reason']}")


@dataclass
class Fixes:
    """Fixes as read, in file order: UTC times (µs since epoch), lon/lat, accuracy (NaN = none)."""

    format: str
    crs: CRS
    times_us: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    accuracy: np.ndarray
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.times_us)


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


# --- times -------------------------------------------------------------------------------

def _local_zone():
    return ZoneInfo(settings.TIME_ZONE)


def parse_time(text, naive_zone) -> int:
    """Microseconds since the epoch (UTC) from ISO 8601 text or Unix seconds/milliseconds.

    A time without an offset is in `naive_zone`. Raises ValueError with a reason.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        number = float(text)
    else:
        value = str(text).strip()
        if not value:
            raise ValueError("empty")
        try:
            number = float(value)
        except ValueError:
            number = None
        if number is None:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value[:40]!r} is not an ISO 8601 time or Unix seconds") from None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=naive_zone)
            return _in_range(_to_us(moment), value)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{text!r} is not a time")
    seconds = number / 1000.0 if number > 1e11 else number  # milliseconds when that large
    # Range-checked as a float first: 1e308 seconds is infinite in microseconds, and int() of
    # that raised OverflowError (a 500) before any range check.
    return _in_range(int(round(_in_range(seconds * 1_000_000, text))), text)


# GPS logs from before 1990 or after 2100 are clock errors (or not times at all).
_EARLIEST_US, _LATEST_US = 631_152_000 * 1_000_000, 4_102_444_800 * 1_000_000


def _in_range(us, text):
    if not _EARLIEST_US <= us < _LATEST_US:
        raise ValueError(f"{str(text)[:40]!r} is not between 1990 and 2100")
    return us


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _to_us(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def us_to_datetime(us: int) -> datetime:
    return datetime.fromtimestamp(int(us) / 1_000_000, tz=timezone.utc)


def iso(us: int) -> str:
    """A fix time for the cleaning report, in the county's time zone (+08:00)."""
    return us_to_datetime(us).astimezone(_local_zone()).isoformat()


# --- readers -----------------------------------------------------------------------------

class _Collector:
    """Accumulates fixes and problems while a reader walks the file."""

    def __init__(self, fmt: str, naive_zone):
        self.format = fmt
        self.zone = naive_zone
        # Fixes added one at a time (`add`) gather in these lists; whole columns
        # (`add_columns`) are kept as arrays in `chunks`, in file order with the lists'.
        self.times: list[int] = []
        self.x: list[float] = []
        self.y: list[float] = []
        self.acc: list[float] = []
        self.chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.in_chunks = 0
        self.problems: list[dict] = []

    def __len__(self) -> int:
        """Fixes added so far."""
        return self.in_chunks + len(self.times)

    def add_columns(self, us: np.ndarray, x: np.ndarray, y: np.ndarray, acc: np.ndarray) -> None:
        """Add fixes converted a column at a time, after those added before."""
        self._close_rows()
        self.chunks.append((us, x, y, acc))
        self.in_chunks += len(us)

    def _close_rows(self) -> None:
        if self.times:
            self.chunks.append((np.asarray(self.times, dtype=np.int64), np.asarray(self.x, dtype=float),
                                np.asarray(self.y, dtype=float), np.asarray(self.acc, dtype=float)))
            self.in_chunks += len(self.times)
            self.times, self.x, self.y, self.acc = [], [], [], []

    def problem(self, where: dict, field_name: str, reason: str) -> None:
        self.problems.append({**where, "field": field_name, "reason": reason})
        limit = settings.PATROL_MAX_PROBLEMS
        if len(self.problems) >= limit:
            raise MalformedUpload(self.format, self.problems,
                                  stopped=f"{limit:,} problems found (PATROL_MAX_PROBLEMS)")

    def add(self, where: dict, time_value, x_value, y_value, acc_value=None) -> None:
        if len(self) >= settings.PATROL_MAX_FIXES:
            limit = settings.PATROL_MAX_FIXES
            raise MalformedUpload(self.format, [{**where, "field": "file", "reason": f"more than {limit:,} "
                                                 "fixes; at most that many per upload (PATROL_MAX_FIXES)"}],
                                  stopped=f"more than {limit:,} fixes")
        bad = len(self.problems)
        try:
            t = parse_time(time_value, self.zone) if time_value is not None else None
            if t is None:
                self.problem(where, "time", "missing")
        except ValueError as exc:
            t = None
            self.problem(where, "time", str(exc))
        coords = []
        for name, value in (("lon", x_value), ("lat", y_value)):
            try:
                number = float(value)
                if not math.isfinite(number):
                    raise ValueError
                coords.append(number)
            except (TypeError, ValueError):
                self.problem(where, name, "missing" if value in (None, "") else f"{value!r} is not a number")
        accuracy = math.nan
        if acc_value not in (None, ""):
            try:
                accuracy = float(acc_value)
                if not (math.isfinite(accuracy) and accuracy >= 0):
                    raise ValueError
            except (TypeError, ValueError):
                self.problem(where, "accuracy", f"{acc_value!r} is not a distance in metres (>= 0)")
        if len(self.problems) == bad:
            self.times.append(t)
            self.x.append(coords[0])
            self.y.append(coords[1])
            self.acc.append(accuracy)

    def result(self, crs: CRS) -> Fixes:
        if self.problems:
            raise MalformedUpload(self.format, self.problems)
        if not len(self):
            raise MalformedUpload(self.format, [{"field": "file", "reason": "contains no fixes"}])
        self._close_rows()
        times, x, y, acc = (np.concatenate(column) for column in zip(*self.chunks))
        if crs.is_geographic:
            bad = np.flatnonzero((np.abs(x) > 180) | (np.abs(y) > 90))
            if len(bad):
                raise MalformedUpload(self.format, [
                    {"index": int(i), "field": "lon/lat",
                     "reason": f"({x[i]}, {y[i]}) is not longitude/latitude in {crs}"} for i in bad])
        try:
            lon, lat = to_wgs84(x, y, crs)
            check_lonlat(lon, lat)
        except CRSError as exc:
            raise MalformedUpload(self.format, [{"field": "coordinates", "reason": f"{exc} ({crs})"}]) from None
        return Fixes(self.format, crs, times, np.asarray(lon, float), np.asarray(lat, float), acc)


_CSV_COLUMNS = {
    "time": ("time", "timestamp", "datetime", "date_time", "t"),
    "lon": ("lon", "lng", "long", "longitude", "x"),
    "lat": ("lat", "latitude", "y"),
    "accuracy": ("accuracy", "acc", "hacc", "horizontal_accuracy"),
}


def _csv_header(row: list[str]) -> dict[str, int] | None:
    """Column positions from a header row, or None when the row is data (no header)."""
    names = [c.strip().lower() for c in row]
    found = {}
    for key, aliases in _CSV_COLUMNS.items():
        for i, name in enumerate(names):
            if name in aliases:
                found[key] = i
                break
    if not found:
        return None
    missing = [k for k in ("time", "lon", "lat") if k not in found]
    if missing:
        raise MalformedUpload("csv", [{"line": 1, "field": m, "reason": "no such column in the header "
                                       f"(found: {', '.join(names)})"} for m in missing])
    return found


def read_csv(stream, collector: _Collector) -> None:
    """CSV: a header naming time, lon, lat[, accuracy] (any order), or no header and those
    columns in that order. Read from the stream a chunk of rows at a time: a chunk whose
    values are all plainly valid is converted a column at a time (csv_columns.py), any other
    row by row (`_Collector.add`, which names each problem). A plain file (csv_columns.plain_lines)
    is split into columns without csv.reader."""
    plain = csv_columns.plain_lines(stream.read(csv_columns.PLAIN_MAX_BYTES + 1))
    if plain is not None:
        _read_plain_csv(plain, collector)
        return
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    chunk: list[list[str]] = []
    lines: list[int] = []
    columns = None
    before = 0
    try:
        first = next(reader, None)
        if first is None:
            return
        columns = _csv_header(first)
        if columns is None:      # no header: the first row is data
            _add_csv_rows(collector, {"time": 0, "lon": 1, "lat": 2, "accuracy": 3}, *_data_rows([first], 0, 1))
            columns = {"time": 0, "lon": 1, "lat": 2, "accuracy": 3}
        while True:
            before = reader.line_num
            # A chunk taken by C (islice), not a Python step per row: line numbers are
            # worked out afterwards (`_data_rows`), and only needed when a row has a problem.
            chunk.extend(islice(reader, csv_columns.CHUNK_ROWS))   # kept up to a bad row
            if not chunk:
                break
            chunk, lines = _data_rows(chunk, before, reader.line_num)
            _add_csv_rows(collector, columns, chunk, lines)
            chunk, lines = [], []
    except UnicodeDecodeError as exc:
        _add_csv_rows(collector, columns, *_data_rows(chunk, before, reader.line_num))
        collector.problem({}, "file", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    except csv.Error as exc:
        line = reader.line_num
        _add_csv_rows(collector, columns, *_data_rows(chunk, before, line))
        collector.problem({"line": line}, "row", f"not CSV: {exc}")
    finally:
        text.detach()


def _read_plain_csv(lines: list[str], collector: _Collector) -> None:
    """`read_csv` for a plain file: its columns split at once, converted a chunk at a time;
    a chunk that does not convert is taken apart into rows and read as `read_csv` reads them."""
    columns = _csv_header(lines[0].split(","))
    start = 1 if columns is not None else 0
    columns = columns or {"time": 0, "lon": 1, "lat": 2, "accuracy": 3}
    fields = csv_columns.plain_fields(lines[start:]) if len(lines) > start else []
    t, x, y, acc = columns["time"], columns["lon"], columns["lat"], columns.get("accuracy")
    for a in range(start, len(lines), csv_columns.CHUNK_ROWS):
        b = min(a + csv_columns.CHUNK_ROWS, len(lines))
        if max(t, x, y) < len(fields) and _add_csv_columns(
                collector, *(fields[k][a - start:b - start] for k in (t, x, y)),
                fields[acc][a - start:b - start] if acc is not None and acc < len(fields) else None):
            continue
        _add_csv_rows(collector, columns, [line.split(",") for line in lines[a:b]], list(range(a + 1, b + 1)))


def _data_rows(rows: list[list[str]], before: int, after: int) -> tuple[list[list[str]], list[int]]:
    """The rows that hold data (blank lines skipped) and the line each ends on (as
    csv.reader's line_num says after reading it), for rows read from the line after `before`
    up to line `after`. Every row is one line unless a quoted value spans lines; then each
    row's lines are counted from its line breaks."""
    if after - before == len(rows):
        lines = range(before + 1, after + 1)
    else:
        lines, line = [], before
        for row in rows:
            line += 1 + sum(v.count("\n") + v.count("\r") - v.count("\r\n") for v in row)
            lines.append(line)
    if rows and min(map(len, rows)) >= 2:       # no row can be blank
        return rows, list(lines)
    kept = [(row, n) for row, n in zip(rows, lines) if row and not (len(row) == 1 and not row[0].strip())]
    return [row for row, _ in kept], [n for _, n in kept]


def _add_csv_rows(collector: _Collector, columns: dict[str, int] | None, rows: list[list[str]],
                  lines: list[int]) -> None:
    """Add one chunk of CSV rows (`lines`: their line numbers): a column at a time when every
    value is plainly valid and the chunk fits under PATROL_MAX_FIXES, else row by row."""
    if not rows:
        return
    t, x, y = columns["time"], columns["lon"], columns["lat"]
    a = columns.get("accuracy")
    needed = max(t, x, y) + 1
    if min(map(len, rows)) >= needed:
        accs = None if a is None else [row[a] if a < len(row) else None for row in rows]
        if _add_csv_columns(collector, [row[t] for row in rows], [row[x] for row in rows],
                            [row[y] for row in rows], accs):
            return
    for row, line in zip(rows, lines):
        where = {"line": line}
        if len(row) < needed:
            collector.problem(where, "row", f"{len(row)} column(s), expected at least {needed} "
                                           "(time, lon, lat[, accuracy])")
            continue
        collector.add(where, row[t], row[x], row[y], row[a] if a is not None and a < len(row) else None)


def _add_csv_columns(collector: _Collector, times: list[str], xs: list[str], ys: list[str],
                     accs: list[str | None] | None) -> bool:
    """Add rows given by column a column at a time, if every value is plainly valid, nothing
    was wrong before and they fit under PATROL_MAX_FIXES; False (nothing added) otherwise."""
    if collector.problems or len(collector) + len(times) > settings.PATROL_MAX_FIXES:
        return False
    converted = csv_columns.convert(times, xs, ys, accs, collector.zone, _EARLIEST_US, _LATEST_US)
    if converted is None:
        return False
    collector.add_columns(*converted)
    return True


def read_gpx(stream, collector: _Collector) -> None:
    """GPX 1.0/1.1 track points (<trkpt lat lon><time/>) in file order, streamed; a point's
    `accuracy` may come from any child element of that name (apps put it in <extensions>)."""
    index = 0
    saw_gpx = False
    try:
        for event, elem in ET.iterparse(stream, events=("start", "end")):
            tag = elem.tag.rsplit("}", 1)[-1]
            if event == "start":
                if tag == "gpx":
                    saw_gpx = True
                continue
            if tag != "trkpt":
                if tag in ("trk", "rte", "wpt"):
                    elem.clear()
                continue
            time_text = acc_text = None
            for child in elem.iter():
                name = child.tag.rsplit("}", 1)[-1]
                if name == "time":
                    time_text = child.text
                elif name == "accuracy":
                    acc_text = child.text
            collector.add({"index": index}, time_text, elem.get("lon"), elem.get("lat"), acc_text)
            index += 1
            elem.clear()
    except ET.ParseError as exc:
        line, column = exc.position
        collector.problem({"line": line, "column": column}, "file", f"not well-formed XML: {exc}")
        return
    if not saw_gpx:
        collector.problem({}, "file", "XML but not GPX (no <gpx> element)")


def read_geojson(stream, collector: _Collector) -> CRS | None:
    """GeoJSON: Point features with a `time` property (and optional `accuracy`), or
    LineString/MultiLineString features with a `coordTimes` property (one time per vertex,
    as togeojson writes). Returns the CRS a legacy `crs` member names, if any."""
    try:
        data = json.load(io.TextIOWrapper(stream, encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        collector.problem({}, "file", f"not UTF-8 text ({exc.reason})")
        return None
    except json.JSONDecodeError as exc:
        collector.problem({"line": exc.lineno, "column": exc.colno}, "file", f"not JSON: {exc.msg}")
        return None
    if not isinstance(data, dict) or data.get("type") not in ("FeatureCollection", "Feature"):
        collector.problem({}, "type", "expected a GeoJSON FeatureCollection or Feature")
        return None
    named = None
    member = data.get("crs")
    if isinstance(member, dict):
        name = (member.get("properties") or {}).get("name")
        try:
            named = parse_crs(name)
        except CRSError:
            collector.problem({}, "crs", f"unknown CRS {name!r} in the file's crs member")
    features = data["features"] if data["type"] == "FeatureCollection" else [data]
    if not isinstance(features, list):
        collector.problem({}, "features", "must be a list")
        return named
    for f_index, feature in enumerate(features):
        where = {"feature": f_index}
        if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
            collector.problem(where, "geometry", "feature without a geometry")
            continue
        geometry, props = feature["geometry"], feature.get("properties") or {}
        if not isinstance(props, dict):
            collector.problem(where, "properties", "must be an object")
            continue
        kind, coords = geometry.get("type"), geometry.get("coordinates")
        if kind == "Point":
            if not isinstance(coords, list) or len(coords) < 2:
                collector.problem(where, "coordinates", "a Point needs [lon, lat]")
                continue
            time_value = next((props[k] for k in ("time", "timestamp", "datetime") if k in props), None)
            collector.add(where, time_value, coords[0], coords[1], props.get("accuracy"))
        elif kind in ("LineString", "MultiLineString"):
            lines = [coords] if kind == "LineString" else coords
            times = props.get("coordTimes") or props.get("times")
            if times is None:
                collector.problem(where, "coordTimes", f"a {kind} needs a coordTimes property "
                                                       "(one time per vertex)")
                continue
            time_lines = [times] if kind == "LineString" else times
            if (not isinstance(lines, list) or not isinstance(time_lines, list)
                    or len(lines) != len(time_lines)
                    or any(not isinstance(a, list) or not isinstance(b, list) or len(a) != len(b)
                           for a, b in zip(lines, time_lines))):
                collector.problem(where, "coordTimes", "does not give exactly one time per vertex")
                continue
            for line, line_times in zip(lines, time_lines):
                for vertex, time_value in zip(line, line_times):
                    if not isinstance(vertex, list) or len(vertex) < 2:
                        collector.problem(where, "coordinates", f"{vertex!r} is not [lon, lat]")
                        continue
                    collector.add(where, time_value, vertex[0], vertex[1])
        else:
            collector.problem(where, "geometry", f"{kind!r} is not a Point, LineString or "
                                                 "MultiLineString with times")
    return named


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
    zone = _local_zone()
    collector = _Collector(fmt, zone)
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
