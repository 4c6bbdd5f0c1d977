"""CSV fixes converted a column at a time: the fast path of `csv_reader.read_csv`.

Why: checking a 100,000-row CSV one row at a time (`Collector.add`: a `where` dict, a failed
float() per ISO time, a dozen calls per row) took seconds; a phone's log is nearly always
clean, and converting whole columns of a chunk with C-level map() takes a tenth of that.

Plainer still: a file without quotes, blank lines, lone carriage returns or rows of unequal
length (what phones write) is split into columns by str.split over the whole text
(`plain_lines`, `plain_fields`), without csv.reader's step per row; any other file goes
through csv.reader.

The rule stays in one place: a chunk is taken here only when every value is one the row-by-row
reader would accept as it is, and converts to exactly what it would give (the same float(),
fromisoformat and rounding); otherwise `convert` answers None and the caller reads that chunk
row by row, which finds and words the problems. Chunks bound the memory a huge file can take.
"""
from __future__ import annotations

import csv
import math
import re
from itertools import repeat
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


def _all_iso(text: str, n: int) -> bool:
    """Whether every one of the `n` lines of `text` is an ISO time of _ISO_TEXT's shape.

    A phone writes every time alike: when all lines have the same length, digits in the
    same places and the same other characters in the others, they all match _ISO_TEXT if
    the first does (it asks only for digits and fixed characters), so numpy compares the
    lines' bytes and the regex reads one line; otherwise the regex reads them all (its one
    pass over 100,000 times cost 0.1 s, the longest step of reading a plain CSV)."""
    first = text.partition("\n")[0]
    try:
        raw = np.frombuffer((text + "\n").encode("ascii"), dtype=np.uint8)
    except UnicodeEncodeError:
        raw = None
    if raw is not None and len(raw) == n * (len(first) + 1):
        rows = raw.reshape(n, len(first) + 1)
        digits = (rows >= ord("0")) & (rows <= ord("9"))
        other = ~digits[0]
        if (digits == digits[0]).all() and (rows[:, other] == rows[0, other]).all():
            return _ISO_LINES.fullmatch(first) is not None
    return _ISO_LINES.fullmatch(text) is not None


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
        if text.count("\n") != len(stripped) - 1 or not _all_iso(text, len(stripped)):
            return None
        try:
            moments = list(map(datetime.fromisoformat, stripped))
        except ValueError:
            return None
        if None in list(map(attrgetter("tzinfo"), moments)):
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
    if None not in values and "" not in values:      # every value given: one C-level pass
        given = np.ones(len(values), dtype=bool)
        values_given = values
    else:
        given = np.fromiter((v not in (None, "") for v in values), dtype=bool, count=len(values))
        values_given = (v if g else "nan" for v, g in zip(values, given))
    try:
        out = np.fromiter(map(float, values_given), dtype=np.float64, count=len(values))
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


#: Files up to this size may take the plain path (`plain_lines`), which holds all of the file's
#: values at once (about 10 times its size); a bigger file is read by csv.reader a chunk of
#: rows at a time, its memory bounded by CHUNK_ROWS.
PLAIN_MAX_BYTES = 16 * 1024 * 1024


def plain_lines(data: bytes) -> list[str] | None:
    """The lines of a CSV file that csv.reader would read as one row per line with every row
    the same number of comma-separated values, none quoted, no blank line, no value over
    csv's field size limit; None for any other file (csv.reader reads it, and words its
    problems)."""
    if len(data) > PLAIN_MAX_BYTES:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if '"' in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or "" in lines or max(map(len, lines)) > csv.field_size_limit():
        return None
    if len(set(map(str.count, lines, repeat(",")))) != 1:
        return None
    return lines


def plain_fields(lines: list[str]) -> list[list[str]]:
    """Values by column of `plain_lines` (every line has as many): one split of the whole
    text, then every n-th value."""
    width = lines[0].count(",") + 1
    flat = ",".join(lines).split(",")
    return [flat[k::width] for k in range(width)]
