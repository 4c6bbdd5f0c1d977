"""The kept fixes of an upload as one binary COPY stream, built by numpy without a Python loop.

Why binary: text COPY made the database parse 100,000 timestamps and hex EWKB strings, and
made Python format them first (one f-string per fix); binary COPY sends each value in the
form PostgreSQL keeps it (int64 microseconds since 2000-01-01, EWKB, float8), so both sides
do a fraction of the work (bench/patrols_bench.py: ingest beside a bare COPY).

Each row is a fixed-size record (numpy structured dtype, big-endian as COPY wants; the point
is little-endian EWKB with its SRID). A missing accuracy is SQL NULL, which has no value
bytes, so rows with and without accuracy have two record layouts: the fixes are written as
runs of one layout or the other, in file order.
"""
from __future__ import annotations

import numpy as np

#: COPY BINARY header: signature, flags (int32), header extension length (int32).
HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
TRAILER = (-1).to_bytes(2, "big", signed=True)
#: Microseconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC).
PG_EPOCH_US = 946_684_800 * 1_000_000
#: EWKB of a 2D point with an SRID, little-endian: byte order 1, type POINT | SRID flag.
EWKB_POINT_SRID = 0x20000001
EWKB_SIZE = 1 + 4 + 4 + 8 + 8

_COMMON = [("n", ">i2"),
           ("track_len", ">i4"), ("track", ">i8"),
           ("time_len", ">i4"), ("time", ">i8"),
           ("geom_len", ">i4"), ("order", "u1"), ("kind", "<u4"), ("srid", "<u4"),
           ("x", "<f8"), ("y", "<f8"),
           ("acc_len", ">i4")]
_WITH_ACCURACY = np.dtype(_COMMON + [("acc", ">f8")])
_WITHOUT_ACCURACY = np.dtype(_COMMON)

#: The columns of the stream, in order.
COLUMNS = ("track_id", "time", "geom", "accuracy")


def _records(dtype, track_id: int, times_us, lon, lat, accuracy=None) -> bytes:
    rows = np.empty(len(times_us), dtype=dtype)
    rows["n"] = len(COLUMNS)
    rows["track_len"], rows["track"] = 8, track_id
    rows["time_len"], rows["time"] = 8, times_us - PG_EPOCH_US
    rows["geom_len"], rows["order"], rows["kind"], rows["srid"] = EWKB_SIZE, 1, EWKB_POINT_SRID, 4326
    rows["x"], rows["y"] = lon, lat
    if accuracy is None:
        rows["acc_len"] = -1
    else:
        rows["acc_len"], rows["acc"] = 8, accuracy
    return rows.tobytes()


def binary_copy(track_id: int, times_us: np.ndarray, lon: np.ndarray, lat: np.ndarray,
                accuracy: np.ndarray) -> bytes:
    """The COPY ... (track_id, time, geom, accuracy) FROM STDIN (FORMAT binary) payload for
    these fixes (times in microseconds since the Unix epoch, WGS84 degrees, NaN accuracy for
    none), in the given order."""
    missing = np.isnan(accuracy)
    # Where the layout changes: runs of fixes with accuracy and without, in order.
    cuts = np.flatnonzero(np.diff(missing.view(np.int8))) + 1
    parts = [HEADER]
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(missing)]):
        if lo == hi:
            continue
        if missing[lo]:
            parts.append(_records(_WITHOUT_ACCURACY, track_id, times_us[lo:hi], lon[lo:hi], lat[lo:hi]))
        else:
            parts.append(_records(_WITH_ACCURACY, track_id, times_us[lo:hi], lon[lo:hi], lat[lo:hi],
                                  accuracy[lo:hi]))
    parts.append(TRAILER)
    return b"".join(parts)
