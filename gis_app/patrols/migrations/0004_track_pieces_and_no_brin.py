"""Tracks keep their line as time-carrying pieces (TrackPiece, cut at upload by the gap rule
in Track.line_gap_seconds/metres; NULL for the tracks stored before, whose coverage is still
built from their fixes), and fixes lose the BRIN index on time that no read used (every read
goes by track: the (track, time) index) while every upload paid for it.

Deleting a track in SQL deletes its pieces too (the trigger that already deletes its fixes).
"""

import django.db.models.deletion
import gis_app.patrols.models
from django.db import migrations, models


FORWARD = """
CREATE OR REPLACE FUNCTION patrols_track_fixes_go_with_it() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM patrols_fix WHERE track_id IN (SELECT id FROM old_tracks);
    DELETE FROM patrols_trackpiece WHERE track_id IN (SELECT id FROM old_tracks);
    RETURN NULL;
END $$;
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION patrols_track_fixes_go_with_it() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM patrols_fix WHERE track_id IN (SELECT id FROM old_tracks);
    RETURN NULL;
END $$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('patrols', '0003_fix_track_checked_per_statement'),
    ]

    operations = [
        migrations.CreateModel(
            name='TrackPiece',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('t0', models.DateTimeField()),
                ('t1', models.DateTimeField()),
                ('line', gis_app.patrols.models.LineStringMField(spatial_index=False, srid=4326)),
                ('simple', models.BooleanField()),
            ],
            options={
                'ordering': ['track_id', 't0'],
            },
        ),
        migrations.RemoveIndex(
            model_name='fix',
            name='patrols_fix_time_6ff64d_brin',
        ),
        migrations.AddField(
            model_name='track',
            name='line_gap_metres',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='track',
            name='line_gap_seconds',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='trackpiece',
            name='track',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='pieces', to='patrols.track'),
        ),
        migrations.AddIndex(
            model_name='trackpiece',
            index=models.Index(fields=['track', 't0'], name='patrols_tra_track_i_e46437_idx'),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
