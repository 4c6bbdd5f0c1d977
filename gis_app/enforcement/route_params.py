"""Router input, parsed strictly: every bad value becomes a ParameterError naming it.

The views turn ParameterError into a 400 `{"error": "bad_parameter", "parameter", "detail"}`
(the API's error shape). Coordinates may come in any CRS `boundaries.crs` accepts; they are
converted to stored WGS84 here, vectorised for batches, and checked before and after.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np

from boundaries.crs import ACCEPTED, CRS, CRSError, WGS84, check_lonlat, parse_crs, to_wgs84
from gis_app.enforcement.routing import MAX_BATCH, PointQuery

MAX_ITEM_LENGTH = 40
MAX_ID_LENGTH = 100
# CRSs whose coordinates are stored unchanged (CGCS2000 is WGS84 within centimetres; see
# boundaries.crs.to_wgs84).
_STORED_AS_IS = (WGS84, "EPSG:4490")
# Web Mercator's valid square (metres): beyond it the inverse projection has no latitude.
_MERCATOR_LIMIT = 20037508.3428


class ParameterError(ValueError):
    """A missing or wrong parameter: `parameter` names it, `reason` says what is wrong."""

    def __init__(self, parameter: str, reason: str):
        super().__init__(f"{parameter}: {reason}")
        self.parameter = parameter
        self.reason = reason

    def as_dict(self) -> dict:
        return {"error": "bad_parameter", "parameter": self.parameter, "detail": str(self)}


def parse_crs_value(value, parameter: str = "crs") -> CRS:
    if value is not None and not isinstance(value, str):
        raise ParameterError(parameter, f"must be a string; accepted: {ACCEPTED}")
    try:
        return parse_crs(value)
    except CRSError:
        raise ParameterError(parameter, f"unknown CRS {value!r}; accepted: {ACCEPTED}") from None


def parse_item(value, parameter: str = "item", required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if required:
            raise ParameterError(parameter, "required (a catalogue item code)")
        return None
    if not isinstance(value, str):
        raise ParameterError(parameter, "must be a string (a catalogue item code)")
    value = value.strip()
    if len(value) > MAX_ITEM_LENGTH:
        raise ParameterError(parameter, f"longer than {MAX_ITEM_LENGTH} characters")
    if not value.isprintable():
        # NUL and other control characters: never a code, and PostgreSQL refuses NUL outright.
        raise ParameterError(parameter, "contains control characters")
    return value


def parse_number(value, parameter: str) -> float:
    """A finite number from a query string, a JSON number or a CSV cell."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        raise ParameterError(parameter, "required")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ParameterError(parameter, f"{value!r} is not a number")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise ParameterError(parameter, f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise ParameterError(parameter, f"{value!r} is not a finite number")
    return number


def _check_received(x: float, y: float, crs: CRS, names: tuple[str, str]) -> None:
    """Range checks that can be made before conversion, so the error names the value."""
    if crs.is_geographic:
        if not -180 <= x <= 180:
            raise ParameterError(names[0], f"longitude {x:g} is outside -180..180 ({crs})")
        if not -90 <= y <= 90:
            raise ParameterError(names[1], f"latitude {y:g} is outside -90..90 ({crs})")
    elif crs.name == "EPSG:3857":
        if abs(x) > _MERCATOR_LIMIT:
            raise ParameterError(names[0], f"x {x:g} m is outside Web Mercator's range ({crs})")
        if abs(y) > _MERCATOR_LIMIT:
            raise ParameterError(names[1], f"y {y:g} m is outside Web Mercator's range ({crs})")


def _check_converted(lon: float, lat: float, x: float, y: float, crs: CRS,
                     names: tuple[str, str]) -> None:
    try:
        check_lonlat(lon, lat)
    except CRSError:
        bad = names[0] if not (math.isfinite(lon) and abs(lon) <= 180) else names[1]
        raise ParameterError(bad, f"({x:g}, {y:g}) in {crs} is not a place on Earth "
                                  f"(converted to WGS84: {lon:g}, {lat:g})") from None


def make_point(x: float, y: float, crs: CRS, names=("lon", "lat")) -> PointQuery:
    """One checked point in `crs` -> PointQuery with its stored WGS84 twin."""
    _check_received(x, y, crs, names)
    if crs.name in _STORED_AS_IS:
        # Finite (parse_number) and in range (_check_received): nothing to convert or check.
        return PointQuery(float(x), float(y), x, y, crs.name)
    lon, lat = to_wgs84(x, y, crs)
    lon, lat = float(lon), float(lat)
    _check_converted(lon, lat, x, y, crs, names)
    return PointQuery(lon, lat, x, y, crs.name)


def make_points(xs: list[float], ys: list[float], crs: CRS,
                names=("lon", "lat")) -> list[PointQuery | ParameterError]:
    """Many numbers in `crs` -> PointQuery or ParameterError each, converted in one pass."""
    results: list[PointQuery | ParameterError | None] = [None] * len(xs)
    ok = []
    for i, (x, y) in enumerate(zip(xs, ys)):
        try:
            _check_received(x, y, crs, names)
            ok.append(i)
        except ParameterError as exc:
            results[i] = exc
    if ok:
        lons, lats = to_wgs84(np.array([xs[i] for i in ok]), np.array([ys[i] for i in ok]), crs)
        lons, lats = np.atleast_1d(lons), np.atleast_1d(lats)
        # One vectorised check for all points; only the bad ones get a per-point message.
        good = (np.isfinite(lons) & np.isfinite(lats) & (np.abs(lons) <= 180)
                & (np.abs(lats) <= 90)).tolist()
        for i, lon, lat, fine in zip(ok, lons.tolist(), lats.tolist(), good):
            if fine:
                results[i] = PointQuery(lon, lat, xs[i], ys[i], crs.name)
                continue
            try:
                _check_converted(lon, lat, xs[i], ys[i], crs, names)
            except ParameterError as exc:
                results[i] = exc
    return results


# --- the single-point query string -------------------------------------------------------

ROUTE_PARAMS = ("lon", "lat", "item", "crs")
LOCATE_PARAMS = ("lon", "lat", "crs")
_TOLERATED = {"format", "_"}


def _one(query_params, name: str):
    values = query_params.getlist(name)
    if len(values) > 1:
        raise ParameterError(name, "given more than once")
    return values[0] if values else None


def parse_point_query(query_params, accepted=ROUTE_PARAMS) -> tuple[PointQuery, str | None]:
    """`?lon=&lat=[&crs=][&item=]` -> (PointQuery, item code or None)."""
    unknown = sorted(set(query_params) - set(accepted) - _TOLERATED)
    if unknown:
        raise ParameterError(unknown[0], "unknown parameter; accepted: " + ", ".join(accepted))
    crs = parse_crs_value(_one(query_params, "crs"))
    x = parse_number(_one(query_params, "lon"), "lon")
    y = parse_number(_one(query_params, "lat"), "lat")
    item = parse_item(_one(query_params, "item")) if "item" in accepted else None
    return make_point(x, y, crs), item


# --- batches ------------------------------------------------------------------------------

@dataclass
class BatchPoint:
    """One batch entry after parsing: a point and its item, or the error that stops it."""

    id: object
    query: PointQuery | None = None
    item: str | None = None
    error: ParameterError | None = None


@dataclass(frozen=True)
class _BadRow:
    """A CSV row that cannot be read as a point; becomes that point's error."""

    reason: str


def _batch_id(value, index: int):
    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        if len(value) > MAX_ID_LENGTH:
            raise ParameterError(f"points[{index}].id", f"longer than {MAX_ID_LENGTH} characters")
        return value
    raise ParameterError(f"points[{index}].id", "must be a string or a number")


def _entries(raw_points, default_item: str | None, crs: CRS) -> list[BatchPoint]:
    """[(lon, lat, item, id)] raw values -> BatchPoints; bad entries carry their error."""
    if len(raw_points) > MAX_BATCH:
        raise ParameterError("points", f"{len(raw_points)} points; at most {MAX_BATCH} per request")
    if not raw_points:
        raise ParameterError("points", "no points given")
    entries: list[BatchPoint] = []
    xs, ys, numbered = [], [], []
    isfinite = math.isfinite
    for i, raw in enumerate(raw_points):
        entry = BatchPoint(id=None)
        entries.append(entry)
        try:
            if isinstance(raw, _BadRow):
                raise ParameterError(f"points[{i}]", raw.reason)
            if not isinstance(raw, dict):
                raise ParameterError(f"points[{i}]", "must be an object with lon and lat")
            entry.id = _batch_id(raw.get("id"), i)
            item = raw.get("item")
            # The common case checked inline: the parameter names are only built for errors.
            if not (type(item) is str and 0 < len(item) <= MAX_ITEM_LENGTH
                    and item.isprintable() and not item[0].isspace() and not item[-1].isspace()):
                item = parse_item(item, f"points[{i}].item", required=False)
            entry.item = item or default_item
            if entry.item is None:
                raise ParameterError(f"points[{i}].item", "required: give it per point or as "
                                                          "the request's `item`")
            x, y = raw.get("lon"), raw.get("lat")
            if not (type(x) is float and type(y) is float and isfinite(x) and isfinite(y)):
                x = parse_number(x, f"points[{i}].lon")
                y = parse_number(y, f"points[{i}].lat")
        except ParameterError as exc:
            entry.error = exc
            continue
        xs.append(x)
        ys.append(y)
        numbered.append(i)
    converted = make_points(xs, ys, crs) if numbered else []
    for i, result in zip(numbered, converted):
        if isinstance(result, ParameterError):
            result = ParameterError(f"points[{i}].{result.parameter}", result.reason)
            entries[i].error = result
        else:
            entries[i].query = result
    return entries


def parse_batch_json(data) -> tuple[CRS, list[BatchPoint]]:
    """`{"crs", "item", "points": [{"lon", "lat", "item"?, "id"?}, ...]}`."""
    if not isinstance(data, dict):
        raise ParameterError("body", 'expected a JSON object {"crs", "item", "points": [...]}')
    unknown = sorted(set(data) - {"crs", "item", "points"})
    if unknown:
        raise ParameterError(unknown[0], "unknown field; accepted: crs, item, points")
    crs = parse_crs_value(data.get("crs"))
    default_item = parse_item(data.get("item"), required=False)
    points = data.get("points")
    if not isinstance(points, list):
        raise ParameterError("points", "required: a list of {lon, lat, item?, id?} objects")
    return crs, _entries(points, default_item, crs)


def parse_batch_csv(upload, crs_value=None, item_value=None) -> tuple[CRS, list[BatchPoint]]:
    """A CSV upload with a header row: lon, lat[, item][, id] (UTF-8, BOM tolerated)."""
    crs = parse_crs_value(crs_value)
    default_item = parse_item(item_value, required=False)
    raw = upload.read(MAX_BATCH * 200 + 1)
    if len(raw) > MAX_BATCH * 200:
        raise ParameterError("file", f"larger than {MAX_BATCH * 200} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ParameterError("file", "not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise ParameterError("file", "empty: expected a header row lon,lat[,item][,id]")
    columns = [h.strip().lower() for h in header]
    missing = [c for c in ("lon", "lat") if c not in columns]
    if missing:
        raise ParameterError("file", f"header lacks column(s) {', '.join(missing)}; "
                                     f"expected lon,lat[,item][,id]")
    unknown = [c for c in columns if c not in ("lon", "lat", "item", "id")]
    if unknown:
        raise ParameterError("file", f"unknown column {unknown[0]!r}; expected lon,lat[,item][,id]")
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
