"""What every upload reader produces and how it reports trouble: the `Fixes` read, the
`MalformedUpload` refusal, times (ISO 8601 or Unix seconds, to µs), and the `Collector` a
reader feeds one fix (or one converted column) at a time.

Why one module: the CSV, GPX and GeoJSON readers (csv_reader.py, gpx_geojson.py) and
`ingest.read_upload` share these; keeping them apart from any one format lets each reader
import them without importing the others. Plain Python, no database.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings

from boundaries.crs import CRS, CRSError, check_lonlat, to_wgs84

MAX_PROBLEMS_LISTED = 50


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


# --- times -------------------------------------------------------------------------------

def local_zone():
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
EARLIEST_US, LATEST_US = 631_152_000 * 1_000_000, 4_102_444_800 * 1_000_000


def _in_range(us, text):
    if not EARLIEST_US <= us < LATEST_US:
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
    return us_to_datetime(us).astimezone(local_zone()).isoformat()


# --- the collector -----------------------------------------------------------------------

class Collector:
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
