"""Finding a place by what a caller says (一口受理): "安上村", "安上", or "asc".

The names of a county's townships, villages, grids and the bundle's `places` layer
(landmarks, roads, enterprises) are kept in one search table (PlaceName) with their pinyin
initials, their full pinyin and a point inside each (a polygon's point on surface, a line's
middle), so a candidate is ready to route. The table is derived: `refresh_place_names`
rebuilds a county's rows (the bundle importer calls it after every import).

`search_places` matches, best first: the exact name; names starting with the text; names
containing it (a fragment); pinyin initials or full pinyin starting with it (Latin letters
only); names similar to it (pg_trgm trigram similarity, for a wrong character). Each
candidate says how it matched. Coordinates are WGS84 (EPSG:4326).
"""
from __future__ import annotations

import re

from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.postgres.search import TrigramSimilarity
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from pypinyin import Style, lazy_pinyin

from boundaries.models import County, Grid, Place, PlaceName, Township, Village

LATIN = re.compile(r"^[a-z0-9]+$")
LEVELS = ("township", "village", "place", "grid")  # on equal match, the bigger unit first
MATCH_NAMES = {0: "name", 1: "prefix", 2: "fragment", 3: "initials", 4: "pinyin", 5: "fuzzy"}


def initials(name: str) -> str:
    """安上村 -> asc; digits and Latin letters are kept (第1镇 -> d1z)."""
    parts = lazy_pinyin(name, style=Style.FIRST_LETTER, errors=lambda s: list(s))
    return "".join(p[:1] if p.isalpha() else p for p in parts).lower()


def full_pinyin(name: str) -> str:
    return "".join(lazy_pinyin(name, errors=lambda s: list(s))).lower()


@transaction.atomic
def refresh_place_names(county: County) -> int:
    """Rebuild the county's search rows from its units and places; returns how many."""
    PlaceName.objects.filter(county=county).delete()
    rows = []
    for level, model in (("township", Township), ("village", Village), ("grid", Grid)):
        kind = "kind" if level != "grid" else None
        fields = ("code", "name", "p") + ((kind,) if kind else ())
        for row in model.objects.filter(county=county).annotate(p=PointOnSurface("geom")).values(*fields):
            rows.append((level, row["code"], row["name"], row.get("kind") or level, row["p"]))
    for place in Place.objects.filter(county=county):
        rows.append(("place", place.code, place.name, place.kind, _inside(place)))
    PlaceName.objects.bulk_create([
        PlaceName(county=county, level=level, code=code, name=name, kind=kind or "",
                  initials=initials(name)[:200], pinyin=full_pinyin(name)[:800], point=point)
        for level, code, name, kind, point in rows if point is not None], batch_size=2000)
    return len(rows)


def _inside(place: Place):
    """A point of the place to route: itself, a line's middle, else a point on its surface."""
    geom = place.geom
    if geom.geom_type == "Point":
        return geom
    if geom.geom_type == "LineString":
        return geom.interpolate_normalized(0.5)
    return geom.point_on_surface


def search_places(text: str, *, county_ids=None, limit: int = 20) -> list[dict]:
    """Candidates for `text`, best first (see the module docstring); `county_ids` None = all."""
    text = text.strip()
    lower = text.lower()
    names = PlaceName.objects.select_related("county")
    if county_ids is not None:
        names = names.filter(county_id__in=county_ids)
    latin = bool(LATIN.match(lower))
    found = Q(name__contains=text) | Q(name__trigram_similar=text)
    rank = [When(name=text, then=Value(0)), When(name__startswith=text, then=Value(1)),
            When(name__contains=text, then=Value(2))]
    if latin:
        found |= Q(initials__startswith=lower) | Q(pinyin__startswith=lower)
        rank += [When(initials__startswith=lower, then=Value(3)), When(pinyin__startswith=lower, then=Value(4))]
    rows = (names.filter(found)
            .annotate(rank=Case(*rank, default=Value(5), output_field=IntegerField()),
                      similarity=TrigramSimilarity("name", text))
            .annotate(level_order=Case(*[When(level=lv, then=Value(i)) for i, lv in enumerate(LEVELS)],
                                       default=Value(len(LEVELS)), output_field=IntegerField()))
            .order_by("rank", F("similarity").desc(), "level_order", "code")[:limit])
    return [{"code": r.code, "name": r.name, "level": r.level, "kind": r.kind,
             "county": {"code": r.county.code, "name": r.county.name},
             "lon": round(r.point.x, 7), "lat": round(r.point.y, 7),
             "match": MATCH_NAMES[r.rank], "similarity": round(r.similarity, 3)} for r in rows]
