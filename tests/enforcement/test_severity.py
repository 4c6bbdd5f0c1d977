"""Severity rows, one by one: kind x zone (x domain); the most specific matching row applies;
defaults core = high, buffer = elevated, others normal; several zones -> the highest."""
import pytest

from gis_app.enforcement.severity import SeverityRow, severity_for, zone_severity

ROWS = [
    SeverityRow(2, "high", kind="water_source"),
    SeverityRow(3, "elevated", zone="experimental", domain="生态环境"),
    SeverityRow(4, "normal", kind="forest_park", zone="buffer"),
    SeverityRow(5, "high", kind="forest_park", zone="buffer", domain="自然资源"),
]


@pytest.mark.parametrize("kind,zone,domain,expected", [
    ("nature_reserve", "core", "市容环卫", ("high", None)),         # default: core = high
    ("nature_reserve", "buffer", "市容环卫", ("elevated", None)),   # default: buffer = elevated
    ("nature_reserve", "experimental", "市容环卫", ("normal", None)),
    ("nature_reserve", "general", "市容环卫", ("normal", None)),
    ("water_source", "general", "市容环卫", ("high", 2)),           # the kind's row
    ("nature_reserve", "experimental", "生态环境", ("elevated", 3)),  # zone x domain
    ("forest_park", "buffer", "市容环卫", ("normal", 4)),            # a row may lower the default
    ("forest_park", "buffer", "自然资源", ("high", 5)),              # domain makes it more specific
])
def test_each_row_and_default(kind, zone, domain, expected):
    assert zone_severity(ROWS, kind, zone, domain) == expected


def test_without_a_table_the_defaults_apply():
    assert zone_severity([], "forest_park", "buffer", "自然资源") == ("elevated", None)


def test_no_zone_is_normal():
    finding = severity_for(ROWS, [], "市容环卫")
    assert (finding.severity, finding.source) == ("normal", "none")


def test_the_highest_of_several_zones_wins_and_says_why():
    finding = severity_for(ROWS, [("PA1", "nature_reserve", "experimental"), ("PA2", "water_source", "core")],
                           "市容环卫")
    assert finding.as_dict() == {"severity": "high", "source": "table", "row": 2, "zone_code": "PA2", "zone": "core"}
    assert finding.text == "PA2 core zone -> severity high (severity row 2)"
