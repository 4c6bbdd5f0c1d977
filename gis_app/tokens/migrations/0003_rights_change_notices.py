"""Changes to a team or a department are announced too, on the same channel as tokens 0002:
compiled tile statements embed a team's township and a department's code (layers/tile_sql.py),
and every worker must drop them at its next request after such a change, whoever made it
(gis_app/web/rights_notices.py).

Raw SQL: a trigger is the only place every writer passes through; the function and the
trigger's SQL are 0002's."""
from importlib import import_module

from django.db import migrations

notices = import_module("gis_app.tokens.migrations.0002_token_change_notices")
TABLES = (("enforcement", "Team"), ("enforcement", "Department"))


def create(apps, schema_editor):
    notices.add_triggers(schema_editor, notices.db_tables(apps, TABLES))


def drop(apps, schema_editor):
    notices.drop_triggers(schema_editor, notices.db_tables(apps, TABLES))


class Migration(migrations.Migration):

    dependencies = [
        ("tokens", "0002_token_change_notices"),
        ("enforcement", "0006_generation_archive"),
    ]

    operations = [migrations.RunPython(create, drop)]
