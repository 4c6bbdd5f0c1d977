"""Every change to a token, its access, a user or a membership is announced to every database
session that listens (gis_app/web/auth.py keeps token rows per session and drops them on a
notice): a revoke or a deactivation reaches every worker and process at once, whoever made it
(admin, `issue_token`, psql, a bulk `update()` that sends no Django signal).

Raw SQL: a trigger is the only place every writer passes through. Statement-level, so a bulk
update sends one notice; `pg_notify` sends it when the writing transaction commits, and not
at all when it rolls back."""
from django.conf import settings
from django.db import migrations

CHANNEL = "gis_token_changes"      # gis_app.web.rights_notices.CHANGES_CHANNEL
FUNCTION = "gis_token_changes_notify"
TABLES = (("authtoken", "Token"), ("tokens", "TokenAccess"), ("enforcement", "Member"),
          tuple(settings.AUTH_USER_MODEL.split(".")))


def db_tables(apps, tables=TABLES):
    return [apps.get_model(app, model)._meta.db_table for app, model in tables]


def add_triggers(schema_editor, tables):
    """The notice trigger on each table (db_table names); tokens 0003 adds more."""
    for table in tables:
        schema_editor.execute(
            f'CREATE TRIGGER {FUNCTION} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()")


def drop_triggers(schema_editor, tables):
    for table in tables:
        schema_editor.execute(f'DROP TRIGGER IF EXISTS {FUNCTION} ON "{table}"')


def create(apps, schema_editor):
    schema_editor.execute(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$")
    add_triggers(schema_editor, db_tables(apps))


def drop(apps, schema_editor):
    drop_triggers(schema_editor, db_tables(apps))
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):

    dependencies = [
        ("tokens", "0001_initial"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("enforcement", "0006_generation_archive"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create, drop)]
