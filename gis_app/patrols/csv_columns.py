"""CSV fixes converted a column at a time: the fast path of `ingest.read_csv`.

Why: checking a 100,000-row CSV one row at a time (`_Collector.add`: a `where` dict, a failed
float() per ISO time, a dozen calls per row) took seconds; a phone's log is nearly always
clean, and converting whole columns of a chunk with C-level map() takes a tenth of that.

The rule stays in one place: a chunk is taken here only when every value is one the row-by-row
reader would accept as it is, and converts to exactly what it would give (the same float(),
fromisoformat and rounding); otherwise `convert` answers None and the caller reads that chunk
row by row, which finds and words the problems. Chunks bound the memory a huge file can take.
"""
from __future__ import annotations

import math
import re
from datetime import datetime
from operator import attrgetter

import numpy as np

#: Rows per chunk: small enough that a chunk's strings stay a few MB.
CHUNK_ROWS = 20_000

# An ISO 8601 time as phones write it; text of this shape can never be read as a number
# (the row-by-row reader tries a number first), so both readers agree on it.
_ISO_TEXT = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?"
# Every value of a column at once, one per line: one regex pass in C instead of a call per value.
_ISO_LINES = re.compile(f"{_ISO_TEXT}(?:\n{_ISO_TEXT})*")


def _times(values: list[str], zone, earliest_us: int, latest_us: int):
    """Microseconds since the epoch (UTC) for every value, or None when any value is not a
    plainly valid time (the row-by-row reader then says which and why)."""
    try:
        numbers = np.fromiter(map(float, values), dtype=np.float64, count=len(values))
    except ValueError:
        numbers = None
    if numbers is not None:
        if not (np.isfinite(numbers).all() and (numbers > 0).all()):
            return None
        seconds = np.where(numbers > 1e11, numbers / 1000.0, numbers)
        rounded = np.rint(seconds * 1_000_000)   # whole microseconds, exact below 2**53
        if not ((rounded >= earliest_us) & (rounded < latest_us)).all():
            return None
        us = rounded.astype(np.int64)
    else:
        stripped = [v.strip() for v in values]
        text = "\n".join(stripped)
        if text.count("\n") != len(stripped) - 1 or not _ISO_LINES.fullmatch(text):
            return None
        try:
            moments = list(map(datetime.fromisoformat, stripped))
        except ValueError:
            return None
        if any(m.tzinfo is None for m in moments):
            moments = [m if m.tzinfo is not None else m.replace(tzinfo=zone) for m in moments]
        # Exact microseconds without a Python step per value: the whole seconds from the float
        # timestamp (within a microsecond of an integer, so rounding finds it), the
        # microseconds from the time itself (offsets are whole minutes: see _ISO_TEXT).
        n = len(moments)
        micro = np.fromiter(map(attrgetter("microsecond"), moments), dtype=np.int64, count=n)
        seconds = np.fromiter(map(datetime.timestamp, moments), dtype=np.float64, count=n)
        us = np.rint(seconds - micro / 1_000_000).astype(np.int64) * 1_000_000 + micro
    if not ((us >= earliest_us) & (us < latest_us)).all():
        return None
    return us


def _numbers(values: list[str]):
    """Finite floats for every value, or None."""
    try:
        out = np.fromiter(map(float, values), dtype=np.float64, count=len(values))
    except ValueError:
        return None
    return out if np.isfinite(out).all() else None


def _accuracy(values: list[str | None]):
    """Metres (NaN where none was given) for every value, or None when a given value is not
    a finite distance >= 0."""
    given = np.fromiter((v not in (None, "") for v in values), dtype=bool, count=len(values))
    try:
        out = np.fromiter((float(v) if g else math.nan for v, g in zip(values, given)),
                          dtype=np.float64, count=len(values))
    except ValueError:
        return None
    if not (np.isfinite(out[given]).all() and (out[given] >= 0).all()):
        return None
    return out


def convert(times: list[str], xs: list[str], ys: list[str], accs: list[str | None] | None, zone,
            earliest_us: int, latest_us: int):
    """(times µs, x, y, accuracy) arrays for one chunk of rows, or None when any value needs
    the row-by-row reader."""
    if (us := _times(times, zone, earliest_us, latest_us)) is None:
        return None
    if (x := _numbers(xs)) is None or (y := _numbers(ys)) is None:
        return None
    if accs is None:
        acc = np.full(len(times), math.nan)
    elif (acc := _accuracy(accs)) is None:
        return None
    return us, x, y, acc
