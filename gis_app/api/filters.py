"""List filters shared by the territory and organisation endpoints.

Each takes the request and a queryset and returns the narrowed queryset, or raises a 400
naming the parameter. Codes are checked against the counties the user may see, so a typo
(or another county's code) is an error, not a silently empty list, and the message is the
same whether or not the unit exists elsewhere.
"""
from __future__ import annotations

from boundaries.crs import ACCEPTED
from boundaries.models import Township, Village
from gis_app.api.access import restrict, visible_counties
from gis_app.web.errors import BadParameter
from gis_app.web.params import Param, parse_bbox, parse_choice, parse_code, parse_crs_param, parse_text

COUNTY = Param("county", "County code (6 digits); must be a county you may see.")
TOWNSHIP = Param("township", "Township code (9 digits) in a county you may see.")
VILLAGE = Param("village", "Village code (12 digits) in a county you may see.")
BBOX = Param("bbox", "minx,miny,maxx,maxy: keep features whose geometry intersects this box. "
                     "In `bbox-crs`, else in `crs`, else WGS84 lon/lat.")
BBOX_CRS = Param("bbox-crs", f"CRS of `bbox` when it differs from `crs`. Accepted: {ACCEPTED}.")
Q = Param("q", "Case-insensitive substring of the name.")


def kind_param(name: str, choices, what: str = "Kind") -> Param:
    return Param(name, f"{what}: one of {', '.join(choices)}.", enum=tuple(choices))


def county(request, queryset, field: str = "county"):
    code = parse_code(request, "county", digits=6)
    if code is None:
        return queryset
    pk = visible_counties(request.user).filter(code=code).values_list("pk", flat=True).first()
    if pk is None:
        raise BadParameter("county", f"no county {code} among the counties you may see")
    return queryset.filter(**{f"{field}_id": pk})


def _unit_pk(request, model, name, digits):
    code = parse_code(request, name, digits=digits)
    if code is None:
        return None
    pk = restrict(model.objects.filter(code=code), request.user).values_list("pk", flat=True).first()
    if pk is None:
        raise BadParameter(name, f"no {name} {code} in the counties you may see")
    return pk


def township(request, queryset, field: str = "township"):
    pk = _unit_pk(request, Township, "township", 9)
    return queryset if pk is None else queryset.filter(**{f"{field}_id": pk})


def township_pk(request) -> int | None:
    """The `township` filter's row id, for endpoints that match it in their own way."""
    return _unit_pk(request, Township, "township", 9)


def village(request, queryset, field: str = "village"):
    pk = _unit_pk(request, Village, "village", 12)
    return queryset if pk is None else queryset.filter(**{f"{field}_id": pk})


def bbox_polygon(request, output_crs=None):
    """The `bbox` filter as a WGS84 polygon (or None); its CRS: bbox-crs, else crs, else WGS84."""
    crs = parse_crs_param(request, "bbox-crs", default=output_crs)
    polygon = parse_bbox(request, crs)
    if polygon is None and "bbox-crs" in request.query_params:
        raise BadParameter("bbox-crs", "given without bbox")
    return polygon


def bbox(request, queryset, output_crs=None, field: str = "geom"):
    """Indexed PostGIS lookup: ST_Intersects uses the GiST index of `field`."""
    polygon = bbox_polygon(request, output_crs)
    return queryset if polygon is None else queryset.filter(**{f"{field}__intersects": polygon})


def choice(request, queryset, name: str, choices, field: str | None = None):
    value = parse_choice(request, name, choices)
    return queryset if value is None else queryset.filter(**{field or name: value})


def name_contains(request, queryset, field: str = "name"):
    text = parse_text(request, "q")
    return queryset if text is None else queryset.filter(**{f"{field}__icontains": text})
