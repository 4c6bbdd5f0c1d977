"""A GiST index on (county, location) for one county's cases in a box (see Case.Meta)."""
import django.contrib.postgres.indexes
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0009_county_scoped_indexes'),
    ]

    operations = [
        BtreeGistExtension(),  # btree_gist: a bigint column beside a geometry in one GiST index
        migrations.AddIndex(
            model_name='case',
            index=django.contrib.postgres.indexes.GistIndex(fields=['county', 'location'],
                                                            name='case_county_location'),
        ),
    ]
