"""Parameters, parsed strictly and declared once: a bad value is a 400 naming the parameter.

Never a 500 and never a silently ignored filter: a parameter an endpoint does not declare is
refused too (a typo such as `?knd=town` would otherwise return everything). An endpoint
declares its query parameters as `Param`s; the same declaration
- refuses the undeclared (`check_known`),
- parses and checks each value (`Param.parse`, or `parse_query` for all of them at once),
- and feeds the OpenAPI schema (`openapi`).
The value parsers (`number_value`, `crs_value`, `item_value`) read JSON bodies, form fields
and CSV cells the same way the query-string parsers read `?name=`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from django.contrib.gis.geos import GEOSGeometry
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from boundaries.crs import ACCEPTED, WGS84, CRS, CRSError, check_lonlat, parse_crs, transform_geometry
from gis_app.web.errors import BadParameter

# Parameters no endpoint documents but every one tolerates: DRF's format override, the
# cache-buster some JavaScript clients append, and `tz=UTC` (gis_app/api/timezones.py).
ALWAYS_ALLOWED = frozenset({"format", "_", "tz"})
MAX_ITEM_LENGTH = 40


@dataclass(frozen=True)
class Param:
    """One query parameter an endpoint accepts: its name, what it means, its type and limits.

    `type` is the OpenAPI type and picks the parser: str (with `digits`, `max_length`,
    `enum`), int (>= `minimum`), number (`minimum`..`maximum`), bool (true/false)."""

    name: str
    description: str
    type: object = OpenApiTypes.STR
    enum: tuple | None = None
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    digits: int | None = None
    max_length: int | None = None

    def openapi(self) -> OpenApiParameter:
        return OpenApiParameter(self.name, self.type, OpenApiParameter.QUERY, required=self.required,
                                description=self.description, enum=self.enum)

    def parse(self, request):
        """The checked value of this parameter in `request`; None when absent (and optional)."""
        if self.type in (int, OpenApiTypes.INT):
            value = parse_whole(request, self.name, int(self.minimum or 0))
        elif self.type in (float, OpenApiTypes.NUMBER, OpenApiTypes.FLOAT, OpenApiTypes.DOUBLE):
            value = parse_number(request, self.name, -math.inf if self.minimum is None else self.minimum,
                                 math.inf if self.maximum is None else self.maximum)
        elif self.type in (bool, OpenApiTypes.BOOL):
            value = parse_bool(request, self.name)
        elif self.enum is not None:
            value = parse_choice(request, self.name, self.enum)
        elif self.digits is not None:
            value = parse_code(request, self.name, digits=self.digits)
        else:
            value = parse_text(request, self.name, self.max_length or 100)
        if value is None and self.required:
            raise BadParameter(self.name, "required")
        return value


def openapi(params: Iterable[Param]) -> list[OpenApiParameter]:
    return [p.openapi() for p in params]


def check_known(request, params: Iterable[Param], extra: Iterable[str] = ()) -> None:
    """Refuse any query parameter the endpoint does not declare."""
    allowed = {p.name for p in params} | set(extra) | ALWAYS_ALLOWED
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise BadParameter(unknown[0], "unknown parameter for this endpoint; accepted: "
                           + ", ".join(sorted(allowed - ALWAYS_ALLOWED)))


def parse_query(request, params: Iterable[Param], extra: Iterable[str] = ()) -> dict:
    """Every declared parameter parsed ({name: value or None}); undeclared ones refused."""
    params = tuple(params)
    check_known(request, params, extra)
    return {p.name: p.parse(request) for p in params}


# --- values from a query string ---------------------------------------------------------------

def get_one(request, name: str) -> str | None:
    """The parameter's single value, stripped; None when absent. Repeated or empty is an error."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise BadParameter(name, "given more than once")
    value = values[0].strip()
    if value == "":
        raise BadParameter(name, "is empty")
    return value


def parse_whole(request, name: str, minimum: int) -> int | None:
    """A whole number >= `minimum` (limit, offset); None when absent."""
    value = get_one(request, name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise BadParameter(name, f"{value!r} is not a whole number") from None
    if number < minimum:
        raise BadParameter(name, f"must be at least {minimum}")
    return number


def parse_crs_param(request, name: str = "crs", default: CRS | None = None) -> CRS:
    value = get_one(request, name)
    if value is None:
        return default or CRS(WGS84)
    try:
        return parse_crs(value)
    except CRSError:
        raise BadParameter(name, f"unknown CRS {value!r}; accepted: {ACCEPTED}") from None


def parse_choice(request, name: str, choices: Iterable[str]) -> str | None:
    value = get_one(request, name)
    choices = list(choices)
    if value is not None and value not in choices:
        raise BadParameter(name, f"{value!r} is not one of: {', '.join(choices)}")
    return value


def parse_bool(request, name: str) -> bool | None:
    value = parse_choice(request, name, ("true", "false"))
    return None if value is None else value == "true"


def parse_code(request, name: str, digits: int | None = None, max_length: int = 40) -> str | None:
    """A unit code (`digits` long, all digits) or an organisation code (free text, bounded)."""
    value = get_one(request, name)
    if value is None:
        return None
    if digits is not None and not (len(value) == digits and value.isdigit()):
        raise BadParameter(name, f"{value!r} is not a {digits}-digit code")
    if len(value) > max_length:
        raise BadParameter(name, f"longer than {max_length} characters")
    return value


def parse_text(request, name: str, max_length: int = 100) -> str | None:
    value = get_one(request, name)
    if value is not None and len(value) > max_length:
        raise BadParameter(name, f"longer than {max_length} characters")
    return value


def parse_number(request, name: str, minimum: float, maximum: float) -> float | None:
    value = get_one(request, name)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise BadParameter(name, f"{value!r} is not a number") from None
    if not (math.isfinite(number) and minimum <= number <= maximum):
        raise BadParameter(name, f"must be between {minimum:g} and {maximum:g}")
    return number


# A bbox in a projected CRS or GCJ-02 is not a rectangle in WGS84: each edge gets a fixed
# number of points before conversion, so the WGS84 polygon follows the curved edges. Fixed
# per edge, not per unit of length: a thin box (10 km by 0.1 mm) must not cost millions.
_BBOX_EDGE_POINTS = 16


def parse_bbox(request, crs: CRS, name: str = "bbox") -> GEOSGeometry | None:
    """`minx,miny,maxx,maxy` in `crs` -> a WGS84 polygon (SRID 4326) for an indexed lookup."""
    value = get_one(request, name)
    if value is None:
        return None
    parts = value.split(",")
    if len(parts) != 4:
        raise BadParameter(name, f"expected 4 comma-separated numbers minx,miny,maxx,maxy; "
                                 f"got {len(parts)} value(s)")
    try:
        minx, miny, maxx, maxy = (float(p) for p in parts)
    except ValueError:
        raise BadParameter(name, f"{value!r} is not 4 numbers minx,miny,maxx,maxy") from None
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        raise BadParameter(name, "values must be finite numbers")
    if minx >= maxx or miny >= maxy:
        raise BadParameter(name, "minx must be less than maxx and miny less than maxy")
    try:
        polygon = box_in_wgs84(minx, miny, maxx, maxy, crs)
    except CRSError as exc:
        raise BadParameter(name, f"{exc} (bbox CRS {crs})") from None
    return GEOSGeometry(memoryview(polygon.wkb), srid=4326)


def box_in_wgs84(minx: float, miny: float, maxx: float, maxy: float, crs: CRS):
    """The box as a valid WGS84 shapely polygon: at most 4 x _BBOX_EDGE_POINTS + 1 vertices
    whatever its shape. Raises CRSError for coordinates the CRS cannot have."""
    import numpy as np
    import shapely
    from shapely.geometry import Polygon, box

    if crs.is_geographic:
        check_lonlat([minx, maxx], [miny, maxy])
    if crs.name in (WGS84, "EPSG:4490"):
        return box(minx, miny, maxx, maxy)
    t = np.linspace(0.0, 1.0, _BBOX_EDGE_POINTS, endpoint=False)
    xs = np.concatenate([minx + (maxx - minx) * t, np.full_like(t, maxx),
                         maxx - (maxx - minx) * t, np.full_like(t, minx)])
    ys = np.concatenate([np.full_like(t, miny), miny + (maxy - miny) * t,
                         np.full_like(t, maxy), maxy - (maxy - miny) * t])
    polygon = transform_geometry(Polygon(np.column_stack([xs, ys])), crs)
    coords = shapely.get_coordinates(polygon)
    check_lonlat(coords[:, 0], coords[:, 1])
    if not polygon.is_valid:
        # Converted corners of a box thinner than the conversion's precision may fold onto
        # each other; its exact footprint is then the envelope of the converted points.
        polygon = box(*polygon.bounds) if polygon.area > 0 else polygon.envelope
    if polygon.geom_type != "Polygon":   # a line or a point: no area to look inside
        polygon = polygon.buffer(1e-9, quad_segs=1)
    return polygon


# --- dates -----------------------------------------------------------------------------------

# Dates outside these years are typing mistakes or probes (9999-12-31): refused, so that no
# "day after" or time-zone shift overflows Python's date range into a 500.
DATE_YEARS = (1900, 2200)


def check_date_range(parameter: str, moment):
    """The one range rule for dates and date-times read from a request; returns `moment`."""
    if moment is not None and not DATE_YEARS[0] <= moment.year <= DATE_YEARS[1]:
        raise BadParameter(parameter, f"{moment.isoformat()[:10]} is outside the years "
                                      f"{DATE_YEARS[0]}-{DATE_YEARS[1]}")
    return moment


# --- values from a JSON body, a form field or a CSV cell ------------------------------------

def crs_value(value, parameter: str = "crs") -> CRS:
    """A CRS name (None: WGS84)."""
    if value is not None and not isinstance(value, str):
        raise BadParameter(parameter, f"must be a string; accepted: {ACCEPTED}")
    try:
        return parse_crs(value)
    except CRSError:
        raise BadParameter(parameter, f"unknown CRS {value!r}; accepted: {ACCEPTED}") from None


def item_value(value, parameter: str = "item", required: bool = True) -> str | None:
    """A catalogue item code: printable, at most MAX_ITEM_LENGTH characters."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if required:
            raise BadParameter(parameter, "required (a catalogue item code)")
        return None
    if not isinstance(value, str):
        raise BadParameter(parameter, "must be a string (a catalogue item code)")
    value = value.strip()
    if len(value) > MAX_ITEM_LENGTH:
        raise BadParameter(parameter, f"longer than {MAX_ITEM_LENGTH} characters")
    if not value.isprintable():
        # NUL and other control characters: never a code, and PostgreSQL refuses NUL outright.
        raise BadParameter(parameter, "contains control characters")
    return value


def number_value(value, parameter: str) -> float:
    """A finite number from a query string, a JSON number or a CSV cell."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        raise BadParameter(parameter, "required")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise BadParameter(parameter, f"{value!r} is not a number")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise BadParameter(parameter, f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise BadParameter(parameter, f"{value!r} is not a finite number")
    return number
