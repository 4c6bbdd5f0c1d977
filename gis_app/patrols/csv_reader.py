"""Reading a CSV upload into a `Collector`: the header (or none), the plain-file split, chunks
read by csv.reader otherwise, and each row's line number for the problems it reports.

Why apart from csv_columns.py: that module converts columns and knows nothing of files,
headers or line numbers; this one walks the file and decides which chunk goes the fast
way (`csv_columns.convert`) and which row by row (`Collector.add`, which words each problem).
"""
from __future__ import annotations

import csv
import io
from itertools import islice

from django.conf import settings

from gis_app.patrols import csv_columns
from gis_app.patrols.collector import EARLIEST_US, LATEST_US, Collector, MalformedUpload


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


def read_csv(stream, collector: Collector) -> None:
    """CSV: a header naming time, lon, lat[, accuracy] (any order), or no header and those
    columns in that order. Read from the stream a chunk of rows at a time: a chunk whose
    values are all plainly valid is converted a column at a time (csv_columns.py), any other
    row by row (`Collector.add`, which names each problem). A plain file (csv_columns.plain_lines)
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


def _read_plain_csv(lines: list[str], collector: Collector) -> None:
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


def _add_csv_rows(collector: Collector, columns: dict[str, int] | None, rows: list[list[str]],
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


def _add_csv_columns(collector: Collector, times: list[str], xs: list[str], ys: list[str],
                     accs: list[str | None] | None) -> bool:
    """Add rows given by column a column at a time, if every value is plainly valid, nothing
    was wrong before and they fit under PATROL_MAX_FIXES; False (nothing added) otherwise."""
    if collector.problems or len(collector) + len(times) > settings.PATROL_MAX_FIXES:
        return False
    converted = csv_columns.convert(times, xs, ys, accs, collector.zone, EARLIEST_US, LATEST_US)
    if converted is None:
        return False
    collector.add_columns(*converted)
    return True
