"""Tracks counted once (gis_app/patrols/duplicates.py): the same fixes uploaded again for a
team are refused with the first track's id, an overlapping upload keeps only its new fixes,
and coverage, visits and time inside are what one upload gives."""
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from gis_app.patrols.coverage import compute_coverage
from gis_app.patrols.duplicates import DuplicateUpload
from gis_app.patrols.models import Fix, Track
from gis_app.patrols.services import upload_track
from tests.patrols.helpers import T0, csv_file, gpx_file, walk
from tests.users import auth_header, make_user

WAYPOINTS = [(120.002, 30.005), (120.028, 30.005), (120.028, 30.03)]
DAY = (T0 - timedelta(hours=8), T0 + timedelta(hours=16))


def _team(territory, n=0):
    return territory.teams[territory.townships[n].code]


def _coverage(territory):
    c = compute_coverage(territory.county, *DAY, team=_team(territory))
    return {g["code"]: (g["visits"], g["seconds_inside"]) for g in c.grids if g["patrolled"]}


def test_the_same_file_uploaded_again_is_refused_naming_the_first_track(territory):
    fixes = walk(WAYPOINTS)
    first = upload_track(csv_file(fixes), team=_team(territory), filename="a.csv")
    with pytest.raises(DuplicateUpload) as exc:
        upload_track(csv_file(fixes), team=_team(territory), filename="a.csv")
    assert exc.value.track_id == first.pk
    assert Track.objects.count() == 1 and Fix.objects.count() == first.fixes_kept


def test_the_same_fixes_in_another_format_are_the_same_fixes(territory):
    fixes = walk(WAYPOINTS)
    first = upload_track(csv_file(fixes), team=_team(territory), filename="a.csv")
    with pytest.raises(DuplicateUpload) as exc:
        upload_track(gpx_file(fixes), team=_team(territory), filename="a.gpx")
    assert exc.value.track_id == first.pk


def test_an_overlapping_upload_keeps_only_its_new_fixes_and_reports_the_others(territory):
    fixes = walk(WAYPOINTS)
    half = len(fixes) // 2
    first = upload_track(csv_file(fixes[:half + 1]), team=_team(territory), filename="a.csv")
    second = upload_track(csv_file(fixes), team=_team(territory), filename="b.csv")
    assert second.fixes_kept == len(fixes) - (half + 1)
    assert second.report["dropped_by_reason"] == {"already_uploaded": half + 1}
    assert f"track {first.pk}" in second.report["dropped_fixes"][0]["detail"]
    assert Fix.objects.count() == len(fixes)


def test_coverage_visits_and_time_inside_are_not_inflated_by_a_repeated_upload(territory):
    fixes = walk(WAYPOINTS)
    upload_track(csv_file(fixes), team=_team(territory), filename="a.csv")
    once = _coverage(territory)
    with pytest.raises(DuplicateUpload):
        upload_track(csv_file(fixes), team=_team(territory), filename="a.csv")
    assert _coverage(territory) == once


def test_another_teams_identical_fixes_are_not_duplicates(territory):
    fixes = walk(WAYPOINTS)
    upload_track(csv_file(fixes), team=_team(territory, 0), filename="a.csv")
    other = upload_track(csv_file(fixes), team=_team(territory, 1), filename="a.csv")
    assert other.fixes_kept == len(fixes)


def test_a_fix_at_the_same_instant_far_away_is_not_a_duplicate(territory):
    fixes = walk(WAYPOINTS)
    upload_track(csv_file(fixes), team=_team(territory), filename="a.csv")
    moved = [(t, x + 0.01, y) for t, x, y in fixes]  # ~960 m east: another phone of the team
    assert upload_track(csv_file(moved), team=_team(territory), filename="b.csv").fixes_kept == len(fixes)


def test_the_api_answers_409_with_the_first_tracks_id_and_stores_nothing(territory):
    planner = make_user("planner1", "planner", territory.county)
    client = APIClient()
    client.credentials(**auth_header(planner))
    team = _team(territory).code
    body = csv_file(walk(WAYPOINTS)).getvalue()

    def post():
        from django.core.files.uploadedfile import SimpleUploadedFile
        return client.post("/api/tracks/", {"file": SimpleUploadedFile("a.csv", body), "team": team},
                           format="multipart")

    first = post()
    assert first.status_code == 201, first.json()
    again = post()
    assert again.status_code == 409
    assert again.json()["error"] == "duplicate_upload"
    assert again.json()["duplicate_of"] == first.json()["id"]
    assert Track.objects.count() == 1
