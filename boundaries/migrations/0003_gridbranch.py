"""GridBranch (the router's one-lookup answer for points inside a settled grid) and the
triggers that keep it from ever being stale.

Triggers, not application code, because units are written by the importer, the admin and
scripts alike: whichever writes a unit a branch row depends on, the rows it may have made
wrong are deleted in the same transaction (statement-level, with transition tables, so a
bulk write costs one delete per statement). A deleted row only sends points back to the
level-by-level search; `refresh_grid_branches` builds them again.
- townships, villages, protected zones, county parts: inserted or deleted rows, and updated
  rows whose geometry or position in the hierarchy (or zone code) changed, forget the
  branches of every grid whose box meets their old or new geometry's box;
- grids: an updated (geometry or village) or deleted grid forgets its own branch; a new grid
  changes no other grid's branch (the router itself checks that one grid alone covers a point);
- TRUNCATE of any of them forgets every branch.
Counties need none: the router finds counties through their parts.
"""
import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

# (table, columns besides geom whose change matters)
NEAR_TABLES = [
    ("boundaries_township", ["county_id"]),
    ("boundaries_village", ["township_id"]),
    ("boundaries_protectedarea", ["county_id", "code", "zone"]),
    ("boundaries_countypart", ["county_id"]),
]

FUNCTIONS = r"""
CREATE FUNCTION boundaries_gridbranch_forget_near() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    old_cols text;
    new_cols text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        DELETE FROM boundaries_gridbranch b USING boundaries_grid g, new_rows n
        WHERE b.grid_id = g.id AND g.geom && n.geom;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM boundaries_gridbranch b USING boundaries_grid g, old_rows o
        WHERE b.grid_id = g.id AND g.geom && o.geom;
    ELSE
        -- TG_ARGV: the columns besides geom whose change matters.
        SELECT string_agg('o.' || quote_ident(c), ', '), string_agg('n.' || quote_ident(c), ', ')
        INTO old_cols, new_cols FROM unnest(TG_ARGV) AS c;
        EXECUTE format(
            'DELETE FROM boundaries_gridbranch b USING boundaries_grid g, ('
            '    SELECT unnest(ARRAY[o.geom, n.geom]) AS geom'
            '    FROM old_rows o JOIN new_rows n ON n.id = o.id'
            '    WHERE (o.geom, %s) IS DISTINCT FROM (n.geom, %s)) c '
            'WHERE b.grid_id = g.id AND g.geom && c.geom', old_cols, new_cols);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION boundaries_gridbranch_forget_grids() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM boundaries_gridbranch b USING old_rows o WHERE b.grid_id = o.id;
    ELSE
        DELETE FROM boundaries_gridbranch b USING old_rows o JOIN new_rows n ON n.id = o.id
        WHERE b.grid_id = o.id AND (o.geom, o.village_id) IS DISTINCT FROM (n.geom, n.village_id);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION boundaries_gridbranch_forget_all() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM boundaries_gridbranch;
    RETURN NULL;
END
$fn$;
"""


# The router's first lookup, "which grids cover this point", on a GiST index of the grids'
# boxes as PostgreSQL's plain `box` type: measured 5 us a point, where the PostGIS geometry
# index takes 17-23 us for the same candidates (the exact test follows on those few). Pages a
# quarter full: fewer boxes to test per page visited (fillfactor 90: 6.2 us).
GRID_BOX_INDEX = ("CREATE INDEX boundaries_grid_geom_box ON boundaries_grid "
                  "USING gist ((geom::box)) WITH (fillfactor = 25);")


def _triggers() -> str:
    out = []
    for table, columns in NEAR_TABLES:
        args = ", ".join(f"'{c}'" for c in columns)
        out += [
            f"CREATE TRIGGER gridbranch_forget_insert AFTER INSERT ON {table} "
            f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION boundaries_gridbranch_forget_near({args});",
            f"CREATE TRIGGER gridbranch_forget_delete AFTER DELETE ON {table} "
            f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION boundaries_gridbranch_forget_near({args});",
            f"CREATE TRIGGER gridbranch_forget_update AFTER UPDATE ON {table} "
            f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION boundaries_gridbranch_forget_near({args});",
        ]
    out += [
        "CREATE TRIGGER gridbranch_forget_delete AFTER DELETE ON boundaries_grid "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION boundaries_gridbranch_forget_grids();",
        "CREATE TRIGGER gridbranch_forget_update AFTER UPDATE ON boundaries_grid "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION boundaries_gridbranch_forget_grids();",
    ]
    for table in [t for t, _ in NEAR_TABLES] + ["boundaries_grid"]:
        out.append(f"CREATE TRIGGER gridbranch_forget_truncate AFTER TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION boundaries_gridbranch_forget_all();")
    return "\n".join(out)


def _drop_triggers() -> str:
    out = []
    for table in [t for t, _ in NEAR_TABLES] + ["boundaries_grid"]:
        for event in ("insert", "delete", "update", "truncate"):
            out.append(f"DROP TRIGGER IF EXISTS gridbranch_forget_{event} ON {table};")
    out.append("DROP FUNCTION IF EXISTS boundaries_gridbranch_forget_near(), "
               "boundaries_gridbranch_forget_grids(), boundaries_gridbranch_forget_all();")
    return "\n".join(out)


class Migration(migrations.Migration):

    dependencies = [
        ('boundaries', '0002_network_edge'),
    ]

    operations = [
        migrations.CreateModel(
            name='GridBranch',
            fields=[
                ('grid', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='branch', serialize=False, to='boundaries.grid')),
                ('zone_ids', django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), blank=True, null=True, size=None)),
                ('county', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='boundaries.county')),
                ('township', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='boundaries.township')),
                ('village', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='boundaries.village')),
            ],
        ),
        migrations.RunSQL(FUNCTIONS + _triggers(), _drop_triggers()),
        migrations.RunSQL(GRID_BOX_INDEX, "DROP INDEX IF EXISTS boundaries_grid_geom_box;"),
    ]
