"""Fixes lose the GiST index on geom and the index on track_id: nothing reads by either
(reads go by (track, time) or time), and every upload paid for both."""

import django.contrib.gis.db.models.fields
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('patrols', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='fix',
            name='geom',
            field=django.contrib.gis.db.models.fields.PointField(spatial_index=False, srid=4326),
        ),
        migrations.AlterField(
            model_name='fix',
            name='track',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='fixes', to='patrols.track'),
        ),
    ]
