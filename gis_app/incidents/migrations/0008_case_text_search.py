"""The queue's free-text search by trigram indexes (incidents.models.Case.Meta)."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('boundaries', '0006_places'),     # pg_trgm
        ('incidents', '0007_case_versions'),
    ]

    operations = [
        TrigramExtension(),   # already there (boundaries 0006); harmless, and says what is needed
        migrations.AddIndex(
            model_name='case',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('number'), name='gin_trgm_ops'), name='case_number_trgm'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('description'), name='gin_trgm_ops'), name='case_description_trgm'),
        ),
    ]
