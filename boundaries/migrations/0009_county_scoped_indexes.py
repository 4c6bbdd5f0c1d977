"""County-scoped indexes for a province sharing the table (see Grid.Meta); btree_gist lets a
GiST index start with the county id."""
import django.contrib.postgres.indexes
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('boundaries', '0008_generation_archive'),
    ]

    operations = [
        BtreeGistExtension(),
        migrations.AddIndex(
            model_name='grid',
            index=models.Index(fields=['county', 'code'], name='grid_county_code'),
        ),
        migrations.AddIndex(
            model_name='grid',
            index=django.contrib.postgres.indexes.GistIndex(fields=['county', 'geom'], name='grid_county_geom'),
        ),
    ]
