"""Changes to a team or a department are announced too, on the same channel as tokens 0002:
compiled tile statements embed a team's township and a department's code (layers/tile_sql.py),
and every worker must drop them at its next request after such a change, whoever made it
(gis_app/web/rights_notices.py).

Raw SQL: a trigger is the only place every writer passes through; the function is 0002's."""
from django.db import migrations

FUNCTION = "gis_token_changes_notify"      # tokens 0002: pg_notify on gis_token_changes
TABLES = (("enforcement", "Team"), ("enforcement", "Department"))


def _tables(apps):
    return [apps.get_model(app, model)._meta.db_table for app, model in TABLES]


def create(apps, schema_editor):
    for table in _tables(apps):
        schema_editor.execute(
            f'CREATE TRIGGER {FUNCTION} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()")


def drop(apps, schema_editor):
    for table in _tables(apps):
        schema_editor.execute(f'DROP TRIGGER IF EXISTS {FUNCTION} ON "{table}"')


class Migration(migrations.Migration):

    dependencies = [
        ("tokens", "0002_token_change_notices"),
        ("enforcement", "0006_generation_archive"),
    ]

    operations = [migrations.RunPython(create, drop)]
