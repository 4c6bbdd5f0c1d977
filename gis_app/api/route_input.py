"""Router input, parsed strictly: every bad value is a BadParameter naming it.

The single-point query string (`?lon=&lat=[&crs=][&item=]`) and batches (a JSON body or a CSV
upload). Coordinates may come in any CRS `boundaries.crs` accepts; they are converted to
stored WGS84 by gis_app.web.points, vectorised for batches, and checked before and after.
A bad batch point does not stop the batch: it carries its error (`BatchPoint.error`).
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import date

from boundaries.crs import CRS
from gis_app.enforcement.routing import MAX_BATCH, PointQuery
from gis_app.web.errors import BadParameter
from gis_app.web.params import MAX_ITEM_LENGTH, check_date_range, crs_value, item_value, number_value
from gis_app.web.points import make_point, make_points

MAX_ID_LENGTH = 100

# --- the single-point query string -------------------------------------------------------

ROUTE_PARAMS = ("lon", "lat", "item", "crs")
NEAR_PARAMS = ("tolerance", "accuracy")  # near-border confirmation (enforcement/borders.py)
AT_PARAMS = ("at",)                      # as of a date (enforcement/as_of.py)
LOCATE_PARAMS = ("lon", "lat", "crs")
_TOLERATED = {"format", "_"}


def _one(query_params, name: str):
    values = query_params.getlist(name)
    if len(values) > 1:
        raise BadParameter(name, "given more than once")
    return values[0] if values else None


def parse_tolerance(data) -> tuple[float | None, float | None]:
    """(tolerance, accuracy) in metres from a query string or a JSON body, each None when
    absent; 0 up to settings.ROUTE_MAX_TOLERANCE_M."""
    from django.conf import settings

    out = []
    for name in NEAR_PARAMS:
        if hasattr(data, "getlist"):
            value = _one(data, name)
        else:  # a JSON body: one value per name; numbers may come as numbers
            value = data.get(name)
            value = None if value in (None, "") else str(value)
        if value is None:
            out.append(None)
            continue
        number = number_value(value, name)
        if not 0 <= number <= settings.ROUTE_MAX_TOLERANCE_M:
            raise BadParameter(name, f"metres from 0 to {settings.ROUTE_MAX_TOLERANCE_M:g}")
        out.append(number)
    return out[0], out[1]


def parse_at(query_params, today: date) -> date | None:
    """`at=YYYY-MM-DD`: the day to answer as of; None for today or absent (today's router).
    A day after today is refused (nothing is known of it)."""
    value = _one(query_params, "at")
    if value is None or value == "":
        return None
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise BadParameter("at", f"{value!r} is not an ISO 8601 date (2026-05-04)")
    check_date_range("at", day)
    if day > today:
        raise BadParameter("at", f"{day} is after today ({today}): only past decisions can be replayed")
    return None if day == today else day


def parse_point_query(query_params, accepted=ROUTE_PARAMS) -> tuple[PointQuery, str | None]:
    """`?lon=&lat=[&crs=][&item=]` -> (PointQuery, item code or None)."""
    unknown = sorted(set(query_params) - set(accepted) - _TOLERATED)
    if unknown:
        raise BadParameter(unknown[0], "unknown parameter; accepted: " + ", ".join(accepted))
    crs = crs_value(_one(query_params, "crs"))
    x = number_value(_one(query_params, "lon"), "lon")
    y = number_value(_one(query_params, "lat"), "lat")
    item = item_value(_one(query_params, "item")) if "item" in accepted else None
    return make_point(x, y, crs), item


# --- batches ------------------------------------------------------------------------------

@dataclass
class BatchPoint:
    """One batch entry after parsing: a point and its item, or the error that stops it."""

    id: object
    query: PointQuery | None = None
    item: str | None = None
    error: BadParameter | None = None


@dataclass(frozen=True)
class _BadRow:
    """A CSV row that cannot be read as a point; becomes that point's error."""

    reason: str


def _batch_id(value, index: int):
    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        if len(value) > MAX_ID_LENGTH:
            raise BadParameter(f"points[{index}].id", f"longer than {MAX_ID_LENGTH} characters")
        return value
    raise BadParameter(f"points[{index}].id", "must be a string or a number")


def _entries(raw_points, default_item: str | None, crs: CRS) -> list[BatchPoint]:
    """[(lon, lat, item, id)] raw values -> BatchPoints; bad entries carry their error."""
    if len(raw_points) > MAX_BATCH:
        raise BadParameter("points", f"{len(raw_points)} points; at most {MAX_BATCH} per request")
    if not raw_points:
        raise BadParameter("points", "no points given")
    entries: list[BatchPoint] = []
    xs, ys, numbered = [], [], []
    isfinite = math.isfinite
    for i, raw in enumerate(raw_points):
        entry = BatchPoint(id=None)
        entries.append(entry)
        try:
            if isinstance(raw, _BadRow):
                raise BadParameter(f"points[{i}]", raw.reason)
            if not isinstance(raw, dict):
                raise BadParameter(f"points[{i}]", "must be an object with lon and lat")
            entry.id = _batch_id(raw.get("id"), i)
            item = raw.get("item")
            # The common case checked inline: the parameter names are only built for errors.
            if not (type(item) is str and 0 < len(item) <= MAX_ITEM_LENGTH
                    and item.isprintable() and not item[0].isspace() and not item[-1].isspace()):
                item = item_value(item, f"points[{i}].item", required=False)
            entry.item = item or default_item
            if entry.item is None:
                raise BadParameter(f"points[{i}].item", "required: give it per point or as "
                                                          "the request's `item`")
            x, y = raw.get("lon"), raw.get("lat")
            if not (type(x) is float and type(y) is float and isfinite(x) and isfinite(y)):
                x = number_value(x, f"points[{i}].lon")
                y = number_value(y, f"points[{i}].lat")
        except BadParameter as exc:
            entry.error = exc
            continue
        xs.append(x)
        ys.append(y)
        numbered.append(i)
    converted = make_points(xs, ys, crs) if numbered else []
    for i, result in zip(numbered, converted):
        if isinstance(result, BadParameter):
            result = BadParameter(f"points[{i}].{result.parameter}", result.reason)
            entries[i].error = result
        else:
            entries[i].query = result
    return entries


def parse_batch_json(data) -> tuple[CRS, list[BatchPoint]]:
    """`{"crs", "item", "points": [{"lon", "lat", "item"?, "id"?}, ...]}`."""
    if not isinstance(data, dict):
        raise BadParameter("body", 'expected a JSON object {"crs", "item", "points": [...]}')
    unknown = sorted(set(data) - {"crs", "item", "points"})
    if unknown:
        raise BadParameter(unknown[0], "unknown field; accepted: crs, item, points")
    crs = crs_value(data.get("crs"))
    default_item = item_value(data.get("item"), required=False)
    points = data.get("points")
    if not isinstance(points, list):
        raise BadParameter("points", "required: a list of {lon, lat, item?, id?} objects")
    return crs, _entries(points, default_item, crs)


def parse_batch_csv(upload, crs_field=None, item_field=None) -> tuple[CRS, list[BatchPoint]]:
    """A CSV upload with a header row: lon, lat[, item][, id] (UTF-8, BOM tolerated)."""
    crs = crs_value(crs_field)
    default_item = item_value(item_field, required=False)
    raw = upload.read(MAX_BATCH * 200 + 1)
    if len(raw) > MAX_BATCH * 200:
        raise BadParameter("file", f"larger than {MAX_BATCH * 200} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadParameter("file", "not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise BadParameter("file", "empty: expected a header row lon,lat[,item][,id]")
    columns = [h.strip().lower() for h in header]
    missing = [c for c in ("lon", "lat") if c not in columns]
    if missing:
        raise BadParameter("file", f"header lacks column(s) {', '.join(missing)}; "
                                     f"expected lon,lat[,item][,id]")
    unknown = [c for c in columns if c not in ("lon", "lat", "item", "id")]
    if unknown:
        raise BadParameter("file", f"unknown column {unknown[0]!r}; expected lon,lat[,item][,id]")
    points = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            points.append(_BadRow(f"CSV row {reader.line_num} has {len(row)} cells, "
                                  f"the header {len(columns)}"))
            continue
        points.append({c: (v.strip() or None) for c, v in zip(columns, row)})
    return crs, _entries(points, default_item, crs)
