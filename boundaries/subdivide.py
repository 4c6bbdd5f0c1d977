"""CountyPart: a county's jurisdiction cut into small pieces for point lookups.

A county with its sea has thousands of vertices; `covers` on one such polygon tests them
all. ST_Subdivide pieces (at most 64 vertices each) sit in a GiST index, so a lookup
touches one small piece. Raw SQL because ST_Subdivide returns a set of rows per county,
which the ORM cannot insert from.
"""
from django.db import connection

from boundaries.models import County, CountyPart

MAX_VERTICES = 64


def refresh_county_parts(county: County | int) -> int:
    """Replace the county's pieces with fresh ones from its geometry; returns their number."""
    county_id = county.pk if isinstance(county, County) else int(county)
    CountyPart.objects.filter(county_id=county_id).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {CountyPart._meta.db_table} (county_id, geom)
            SELECT id, ST_Subdivide(geom, %s) FROM {County._meta.db_table} WHERE id = %s
        """, [MAX_VERTICES, county_id])
        return cursor.rowcount
