"""A fix's track is checked once per statement, not once per row.

The foreign key from patrols_fix to patrols_track (deferrable, checked at commit) ran one
lookup of the track per fix: half of a 100,000-fix upload's time (bench/patrols_bench.py).
The same guarantees, set-based, with statement triggers over transition tables:
- INSERT/UPDATE on patrols_fix: every track_id names an existing track (locked FOR KEY SHARE
  as a foreign key would), else SQLSTATE 23503 (foreign_key_violation, an IntegrityError);
- DELETE on patrols_track: its fixes go with it (the ORM's CASCADE still deletes them first);
- a track's id never changes.
Django keeps the relation (ForeignKey, on_delete=CASCADE) with db_constraint=False.
"""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = """
CREATE FUNCTION patrols_fix_tracks_exist() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM patrols_track t WHERE t.id IN (SELECT DISTINCT track_id FROM new_fixes)
        FOR KEY SHARE;
    IF EXISTS (SELECT 1 FROM (SELECT DISTINCT track_id FROM new_fixes) n
               WHERE NOT EXISTS (SELECT 1 FROM patrols_track t WHERE t.id = n.track_id)) THEN
        RAISE foreign_key_violation USING
            MESSAGE = 'insert or update on table "patrols_fix" violates its track reference',
            DETAIL = 'a track_id is not present in table "patrols_track"';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER patrols_fix_tracks_exist_insert AFTER INSERT ON patrols_fix
    REFERENCING NEW TABLE AS new_fixes FOR EACH STATEMENT EXECUTE FUNCTION patrols_fix_tracks_exist();
CREATE TRIGGER patrols_fix_tracks_exist_update AFTER UPDATE ON patrols_fix
    REFERENCING NEW TABLE AS new_fixes FOR EACH STATEMENT EXECUTE FUNCTION patrols_fix_tracks_exist();

CREATE FUNCTION patrols_track_fixes_go_with_it() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM patrols_fix WHERE track_id IN (SELECT id FROM old_tracks);
    RETURN NULL;
END $$;
CREATE TRIGGER patrols_track_fixes_go_with_it AFTER DELETE ON patrols_track
    REFERENCING OLD TABLE AS old_tracks FOR EACH STATEMENT EXECUTE FUNCTION patrols_track_fixes_go_with_it();

CREATE FUNCTION patrols_track_id_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE foreign_key_violation USING MESSAGE = 'a patrol track''s id does not change';
END $$;
CREATE TRIGGER patrols_track_id_fixed BEFORE UPDATE OF id ON patrols_track
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION patrols_track_id_fixed();
"""

BACKWARD = """
DROP TRIGGER patrols_track_id_fixed ON patrols_track;
DROP FUNCTION patrols_track_id_fixed();
DROP TRIGGER patrols_track_fixes_go_with_it ON patrols_track;
DROP FUNCTION patrols_track_fixes_go_with_it();
DROP TRIGGER patrols_fix_tracks_exist_update ON patrols_fix;
DROP TRIGGER patrols_fix_tracks_exist_insert ON patrols_fix;
DROP FUNCTION patrols_fix_tracks_exist();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('patrols', '0002_fix_indexes_for_uploads'),
    ]

    operations = [
        migrations.AlterField(
            model_name='fix',
            name='track',
            field=models.ForeignKey(db_constraint=False, db_index=False,
                                    on_delete=django.db.models.deletion.CASCADE,
                                    related_name='fixes', to='patrols.track'),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
