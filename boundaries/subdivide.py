"""CountyPart and TownshipPart: a county's jurisdiction and its townships' land cut into
small pieces for the router.

A county with its sea has thousands of vertices; `covers` on one such polygon tests them
all. ST_Subdivide pieces (at most 64 vertices each) sit in a GiST index, so a lookup
touches one small piece. A point outside every county is told its nearest township: the
geodesic distance to a whole outline of 500 vertices costs ~0.8 ms, 3,200 ~1.6 ms, to its
three nearest pieces 0.35-0.55 ms (measured on the two real outlines in shared/data). Raw
SQL because ST_Subdivide returns a set of rows per unit, which the ORM cannot insert from.
"""
from django.db import connection

from boundaries.models import County, CountyPart, Township, TownshipPart

MAX_VERTICES = 64


def refresh_county_parts(county: County | int) -> int:
    """Replace the county's pieces and its townships' with fresh ones from their geometries,
    after the county's units are written; returns the number of the county's pieces."""
    county_id = county.pk if isinstance(county, County) else int(county)
    CountyPart.objects.filter(county_id=county_id).delete()
    TownshipPart.objects.filter(county_id=county_id).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {TownshipPart._meta.db_table} (township_id, county_id, geom)
            SELECT id, county_id, ST_Subdivide(geom, %s) FROM {Township._meta.db_table}
            WHERE county_id = %s
        """, [MAX_VERTICES, county_id])
        cursor.execute(f"""
            INSERT INTO {CountyPart._meta.db_table} (county_id, geom)
            SELECT id, ST_Subdivide(geom, %s) FROM {County._meta.db_table} WHERE id = %s
        """, [MAX_VERTICES, county_id])
        return cursor.rowcount
