"""County-scoped index for a province sharing the table (see Grid.Meta)."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('boundaries', '0008_generation_archive'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='grid',
            index=models.Index(fields=['county', 'code'], name='grid_county_code'),
        ),
    ]
