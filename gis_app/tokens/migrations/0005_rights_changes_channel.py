"""The change notices of tokens 0002-0004 move to the channel `gis_rights_changes`: they now
announce changes to tokens, users, members, teams, departments and counties, every change
that a cache of rights or scope must follow (gis_app/web/rights_notices.py CHANGES_CHANNEL).

Only the channel changes: the function keeps 0002's name, so its triggers (named after it,
made by 0002's add_triggers) stay as they are. Workers of the code before, listening on the
old channel, hear nothing after this migration until they restart: their kept rows and
statements then expire by time only (TOKEN_CACHE_SECONDS, TILE_SQL_CACHE_SECONDS).

Raw SQL: the triggers' function is the one place every writer passes through."""
from django.db import migrations

FUNCTION = "gis_token_changes_notify"     # tokens 0002
CHANNEL, BEFORE = "gis_rights_changes", "gis_token_changes"


def notify_on(channel):
    def replace_function(apps, schema_editor):
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN PERFORM pg_notify('{channel}', TG_TABLE_NAME); RETURN NULL; END $$")
    return replace_function


class Migration(migrations.Migration):

    dependencies = [("tokens", "0004_county_change_notices")]

    operations = [migrations.RunPython(notify_on(CHANNEL), notify_on(BEFORE))]
