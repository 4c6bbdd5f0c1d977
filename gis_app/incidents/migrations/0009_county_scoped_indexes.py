"""County-scoped indexes for a province sharing the table (see Case.Meta)."""
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('boundaries', '0009_county_scoped_indexes'),
        ('enforcement', '0006_generation_archive'),
        ('incidents', '0008_case_text_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['county', 'id'], name='case_county_id'),
        ),
    ]
