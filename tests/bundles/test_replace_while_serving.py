"""--replace swaps a county while readers keep getting whole, old answers until it commits."""
import threading

import pytest
from django.db import connection

from boundaries.models import Grid, Township
from gis_app.bundles import importer
from tests.bundle_writer import lattice, write_bundle
from tests.elsewhere import started_elsewhere


@pytest.mark.django_db(transaction=True)
def test_readers_see_the_old_county_until_the_replace_commits(tmp_path, monkeypatch):
    importer.import_bundle(write_bundle(tmp_path / "old"))
    layers = lattice()
    for t in layers["townships"]:
        t["name"] = "新" + t["name"]
    new_folder = write_bundle(tmp_path / "new", layers=layers)

    inside, release = threading.Event(), threading.Event()
    real_refresh = importer.refresh_county_parts

    def paused_refresh(county):
        real_refresh(county)
        inside.set()  # everything is written, nothing committed yet
        assert release.wait(30)

    monkeypatch.setattr(importer, "refresh_county_parts", paused_refresh)
    finish = started_elsewhere(lambda: importer.import_bundle(new_folder, replace=True), timeout=30)
    try:
        assert inside.wait(30)
        names = set(Township.objects.values_list("name", flat=True))
        assert names == {"第1镇", "第2镇", "第3乡", "第4镇"}
        assert Grid.objects.count() == 64
    finally:
        release.set()
        finish()
    connection.close()
    assert set(Township.objects.values_list("name", flat=True)) == {"新第1镇", "新第2镇", "新第3乡", "新第4镇"}
