"""Changes to a county are announced too, on the same channel as tokens 0002: a compiled tile
statement of a county-scoped layer keeps the bounding box of the user's counties
(layers/tile_sql.py counties_box), read from the counties' geometry, and every worker must drop
it at its next request after `import_bundle --replace` (or admin, or psql) changed that geometry
(gis_app/web/rights_notices.py).

Townships get no trigger: nothing a cache keeps is read from them (a team's township id comes
from the team row, announced by 0003; a hub's covered townships are read when the statement
runs), and every import updates its county row, which this trigger announces.

Raw SQL: a trigger is the only place every writer passes through; the function and the
trigger's SQL are 0002's."""
from importlib import import_module

from django.db import migrations

notices = import_module("gis_app.tokens.migrations.0002_token_change_notices")
TABLES = (("boundaries", "County"),)


class Migration(migrations.Migration):

    dependencies = [("tokens", "0003_rights_change_notices"), ("boundaries", "0009_county_scoped_indexes")]

    operations = [migrations.RunPython(
        lambda apps, editor: notices.add_triggers(editor, notices.db_tables(apps, TABLES)),
        lambda apps, editor: notices.drop_triggers(editor, notices.db_tables(apps, TABLES)))]
