"""The demo scenario: the 寺头乡 pig farm footprint in the 崦山 reserve reads real hectares in
the buffer and the core zone, names the department to tell and the township that acts."""
import json
from pathlib import Path

import pytest
import shapely
from django.core.management import call_command

from boundaries.shapes import as_multi
from gis_app.enforcement.footprint import check_footprint
from tests.enforcement.footprint_reference import expected_overlaps
from boundaries.models import ProtectedArea

DEMO = Path(__file__).resolve().parents[2] / "boundaries" / "demo"
FARM = DEMO / "footprints" / "sitou-pig-farm.geojson"


@pytest.fixture
def yangcheng(db):
    call_command("import_bundle", str(DEMO / "yangcheng"), stdout=open("/dev/null", "w"))


def farm():
    return shapely.geometry.shape(json.loads(FARM.read_text(encoding="utf-8"))["features"][0]["geometry"])


def test_the_pig_farm_lies_in_the_yanshan_buffer_and_core_in_real_hectares(yangcheng):
    check = check_footprint(as_multi(farm()), item_code="JC026")
    zones = {z.extra["zone"]: z for z in check.zones if z.code == "140522-ZR-YS"}
    assert set(zones) == {"core", "buffer"}
    for zone, model in ((z, ProtectedArea.objects.get(code="140522-ZR-YS", zone=z)) for z in zones):
        reference = expected_overlaps(farm(), [model])["140522-ZR-YS"]
        assert zones[zone].overlap_m2 == pytest.approx(reference, rel=0.005)
    assert zones["buffer"].overlap_m2 / 10_000 == pytest.approx(11.90, abs=0.05)
    assert zones["core"].overlap_m2 / 10_000 == pytest.approx(2.80, abs=0.05)
    answer = check.decision_dict()
    assert answer["severity"] == "high"
    assert answer["township"]["name"] == "寺头乡"
    assert "ZYGH" in [d["code"] for d in answer["departments"]]
