"""GridBranch.region: the settled part of a grid whose whole interior is not settled (real
bundles, where village and township borders do not follow their grids' edges exactly), so
that points in nearly every grid take the router's one-lookup path; and the function that
computes it (`gis_app.enforcement.locate` explains the rule).

A function because the overlays may fail on units GEOS cannot node together (a
TopologyException): that grid then simply gets no region (its points walk the levels), where
a failing statement would abort the whole refresh, and with it the bundle import.
"""
import django.contrib.gis.db.models.fields
from django.db import migrations

FUNCTION = r"""
CREATE FUNCTION boundaries_branch_region(grid geometry, village geometry, township geometry,
                                         own geometry[], others geometry[],
                                         margin float8, snap float8) RETURNS geometry
LANGUAGE plpgsql IMMUTABLE AS $fn$
DECLARE
    region geometry;
BEGIN
    -- Snap-rounded overlays, polygons kept at every step.
    region := ST_CollectionExtract(ST_Intersection(grid, village, snap), 3);
    region := ST_CollectionExtract(ST_Intersection(region, township, snap), 3);
    region := ST_CollectionExtract(ST_Intersection(
        region, ST_CollectionExtract(ST_UnaryUnion(ST_Collect(own), snap), 3), snap), 3);
    IF cardinality(others) > 0 THEN
        region := ST_CollectionExtract(ST_Difference(
            region, ST_CollectionExtract(ST_UnaryUnion(ST_Collect(others), snap), 3), snap), 3);
    END IF;
    region := ST_Multi(ST_CollectionExtract(ST_Buffer(region, -margin), 3));
    IF ST_IsEmpty(region) OR NOT ST_IsValid(region) THEN
        RETURN NULL;
    END IF;
    RETURN region;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END
$fn$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('boundaries', '0004_router_box_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='gridbranch',
            name='region',
            field=django.contrib.gis.db.models.fields.MultiPolygonField(blank=True, null=True, spatial_index=False, srid=4326),
        ),
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS boundaries_branch_region("
                                    "geometry, geometry, geometry, geometry[], geometry[], float8, float8);"),
    ]
