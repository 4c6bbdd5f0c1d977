"""TownshipPart: townships' land in small pieces for the nearest township to a point outside
every county (see the model); filled here from the townships already loaded, as
`boundaries.subdivide.refresh_county_parts` fills it on every import. 64 vertices a piece, as
CountyPart (`subdivide.MAX_VERTICES`, not imported: a migration keeps its own values)."""

import django.contrib.gis.db.models.fields
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('boundaries', '0010_zone_general_word'),
    ]

    operations = [
        migrations.CreateModel(
            name='TownshipPart',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('geom', django.contrib.gis.db.models.fields.PolygonField(srid=4326)),
                ('county', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='township_parts', to='boundaries.county')),
                ('township', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='parts', to='boundaries.township')),
            ],
        ),
        migrations.RunSQL(
            "INSERT INTO boundaries_townshippart (township_id, county_id, geom) "
            "SELECT id, county_id, ST_Subdivide(geom, 64) FROM boundaries_township",
            migrations.RunSQL.noop),
    ]
