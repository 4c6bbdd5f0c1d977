"""How fixes are stored: one binary COPY per upload (gis_app/patrols/fix_copy.py), keyed by
(track, time) with no other index (patrols migration 0006), and the track reference checked
per statement by triggers (patrols migration 0003)."""
import io
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from gis_app.patrols.models import Fix, Track
from gis_app.patrols.services import upload_track
from tests.patrols.helpers import T0, iso


def _team(territory):
    return territory.teams[territory.townships[0].code]


def _csv(rows) -> io.BytesIO:
    return io.BytesIO(("time,lon,lat,accuracy\n" + "".join(
        f"{iso(t)},{x!r},{y!r},{'' if a is None else a}\n" for t, x, y, a in rows)).encode())


def test_stored_fixes_are_the_upload_in_order_with_a_missing_accuracy_null(territory):
    rows = [(T0 + timedelta(seconds=7 * k, microseconds=123 * k), 120.002 + k * 1e-5,
             30.002 + k * 3e-6, None if k in (0, 1, 4, 9) else k * 0.25) for k in range(10)]
    track = upload_track(_csv(rows), team=_team(territory), filename="t.csv")
    stored = list(Fix.objects.filter(track=track).order_by("time"))
    assert [(f.time, f.geom.x, f.geom.y, f.accuracy, f.geom.srid) for f in stored] == \
        [(t, x, y, a, 4326) for t, x, y, a in rows]


def test_a_fix_of_a_track_that_does_not_exist_is_refused(territory):
    missing = (Track.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("INSERT INTO patrols_fix (track_id, time, geom) "
                    "VALUES (%s, now(), ST_SetSRID(ST_MakePoint(120, 30), 4326))", [missing])
    assert not Fix.objects.filter(track_id=missing).exists()


def test_moving_a_fix_to_a_track_that_does_not_exist_is_refused(territory):
    track = upload_track(_csv([(T0, 120.002, 30.002, 5), (T0 + timedelta(seconds=5), 120.0021, 30.002, 5)]),
                         team=_team(territory), filename="t.csv")
    with pytest.raises(IntegrityError), transaction.atomic():
        Fix.objects.filter(track=track).update(track_id=track.pk + 1000)
    assert Fix.objects.filter(track=track).count() == 2


def test_deleting_a_track_in_sql_deletes_its_fixes(territory):
    track = upload_track(_csv([(T0, 120.002, 30.002, 5), (T0 + timedelta(seconds=5), 120.0021, 30.002, 5)]),
                         team=_team(territory), filename="t.csv")
    with connection.cursor() as cur:
        cur.execute("DELETE FROM patrols_track WHERE id = %s", [track.pk])
    assert not Fix.objects.filter(track_id=track.pk).exists()


def test_a_tracks_id_does_not_change(territory):
    track = upload_track(_csv([(T0, 120.002, 30.002, 5), (T0 + timedelta(seconds=5), 120.0021, 30.002, 5)]),
                         team=_team(territory), filename="t.csv")
    with pytest.raises(IntegrityError), transaction.atomic():
        Track.objects.filter(pk=track.pk).update(id=track.pk + 1000)


def test_a_fix_is_keyed_by_its_track_and_time(territory):
    track = upload_track(_csv([(T0, 120.002, 30.002, 5), (T0 + timedelta(seconds=5), 120.0021, 30.002, 5)]),
                         team=_team(territory), filename="t.csv")
    fix = Fix.objects.get(pk=(track.pk, T0))
    assert (fix.track_id, fix.time, fix.geom.x) == (track.pk, T0, 120.002)


def test_a_second_fix_of_a_track_at_the_same_time_is_refused(territory):
    track = upload_track(_csv([(T0, 120.002, 30.002, 5), (T0 + timedelta(seconds=5), 120.0021, 30.002, 5)]),
                         team=_team(territory), filename="t.csv")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("INSERT INTO patrols_fix (track_id, time, geom) "
                    "VALUES (%s, %s, ST_SetSRID(ST_MakePoint(120.01, 30.01), 4326))", [track.pk, T0])
    assert Fix.objects.filter(track=track).count() == 2


def test_fixes_have_one_index_their_key(territory):
    """Every read of fixes goes by (track, time); each further index is paid on every upload."""
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [Fix._meta.db_table])
        found = [row[0] for row in cur.fetchall()]
    assert len(found) == 1 and "UNIQUE" in found[0] and "(track_id, \"time\")" in found[0]
