"""Reading and cleaning uploads (gis_app/patrols/ingest.py and its readers: collector.py, csv_reader.py,
gpx_geojson.py) and storing them (services.py)."""
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from boundaries.crs import gcj02_to_wgs84
from gis_app.patrols.collector import MalformedUpload, parse_time
from gis_app.patrols.ingest import clean, read_upload
from gis_app.patrols.models import Fix, Track
from gis_app.patrols.services import upload_track
from tests.patrols.helpers import T0, csv_file, geojson_file, gpx_file, iso, to_gcj02, walk

ROUTE = [(120.002, 30.002), (120.018, 30.002), (120.018, 30.012)]


def _fixes():
    return walk(ROUTE, speed_kmh=5, step_s=30)


# --- reading each format -------------------------------------------------------------------

@pytest.mark.parametrize("writer,name", [(csv_file, "t.csv"), (gpx_file, "t.gpx"),
                                         (geojson_file, "t.geojson")])
def test_each_format_reads_every_fix_in_file_order(writer, name):
    fixes = _fixes()
    read = read_upload(writer(fixes), filename=name)
    assert len(read) == len(fixes)
    assert read.format == name.split(".")[1]
    assert np.allclose(read.lon, [f[1] for f in fixes]) and np.allclose(read.lat, [f[2] for f in fixes])
    assert read.times_us[0] == int(T0.timestamp() * 1_000_000)


def test_geojson_linestring_with_coord_times_is_read():
    fixes = _fixes()
    read = read_upload(geojson_file(fixes, as_line=True), filename="t.json")
    assert len(read) == len(fixes)


def test_format_is_detected_from_content_without_extension():
    assert read_upload(gpx_file(_fixes()), filename="upload").format == "gpx"
    assert read_upload(geojson_file(_fixes()), filename=None).format == "geojson"
    assert read_upload(csv_file(_fixes()), filename="blob").format == "csv"


def test_csv_without_header_takes_time_lon_lat_accuracy_in_order():
    read = read_upload(csv_file(_fixes(), header=False, accuracy=7.5), filename="t.csv")
    assert len(read) == len(_fixes())
    assert np.all(read.accuracy == 7.5)


def test_csv_columns_may_come_in_any_order_under_other_names():
    data = b"Latitude,Longitude,Timestamp\n30.0,120.0,1777852800\n30.001,120.001,1777852830000\n"
    read = read_upload(io.BytesIO(data), filename="t.csv")
    assert list(read.lon) == [120.0, 120.001]
    # Unix seconds and milliseconds both read.
    assert read.times_us[1] - read.times_us[0] == 30_000_000


def test_csv_time_without_offset_is_local_time():
    read = read_upload(io.BytesIO(b"time,lon,lat\n2026-05-04 08:00:00,120,30\n"), filename="t.csv")
    assert read.times_us[0] == int(T0.timestamp() * 1_000_000)  # 08:00 Shanghai = 00:00 UTC
    assert any("Asia/Shanghai" in note for note in read.notes)


def test_gcj02_coordinates_are_converted_to_wgs84():
    fixes = _fixes()
    read = read_upload(csv_file(to_gcj02(fixes)), filename="t.csv", crs="GCJ02")
    assert read.crs.name == "GCJ02"
    assert np.allclose(read.lon, [f[1] for f in fixes], atol=1e-8)
    assert np.allclose(read.lat, [f[2] for f in fixes], atol=1e-8)


def test_geojson_crs_member_is_used_when_no_crs_is_given():
    fixes = to_gcj02(_fixes()[:3])
    data = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "GCJ02"}},
            "features": [{"type": "Feature", "properties": {"time": iso(t)},
                          "geometry": {"type": "Point", "coordinates": [x, y]}} for t, x, y in fixes]}
    import json
    read = read_upload(io.BytesIO(json.dumps(data).encode()), filename="t.geojson")
    expected, _ = gcj02_to_wgs84([f[1] for f in fixes], [f[2] for f in fixes])
    assert read.crs.name == "GCJ02" and np.allclose(read.lon, expected)


# --- malformed uploads: refused whole, with a report naming the problem ---------------------

MALFORMED = {
    "csv bad time": (b"time,lon,lat\n2026-05-04T08:00:00Z,120,30\nyesterday,120.001,30\n", "t.csv",
                     {"line": 3, "field": "time"}),
    "csv bad number": (b"time,lon,lat\n2026-05-04T08:00:00Z,120,30\n2026-05-04T08:00:10Z,east,30\n",
                       "t.csv", {"line": 3, "field": "lon"}),
    "csv missing column": (b"time,lon\n2026-05-04T08:00:00Z,120\n", "t.csv", {"field": "lat"}),
    "csv short row": (b"time,lon,lat\n2026-05-04T08:00:00Z,120\n", "t.csv", {"line": 2, "field": "row"}),
    "csv projected metres": (b"time,lon,lat\n2026-05-04T08:00:00Z,500000,3300000\n", "t.csv",
                             {"field": "lon/lat"}),
    "csv not utf8": ("time,lon,lat\n时间,120,30\n".encode("gbk"), "t.csv", {"field": "file"}),
    "gpx not xml": (b"<gpx><trk><trkseg><trkpt lat='30' lon='120'>", "t.gpx", {"field": "file"}),
    "gpx point without time": (b"<gpx><trk><trkseg><trkpt lat='30' lon='120'/></trkseg></trk></gpx>",
                               "t.gpx", {"index": 0, "field": "time"}),
    "gpx not gpx": (b"<kml><Placemark/></kml>", "t.gpx", {"field": "file"}),
    "geojson not json": (b"{\"type\": \"FeatureCollection\", ", "t.geojson", {"field": "file"}),
    "geojson polygon": (b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
                        b'{"time":"2026-05-04T08:00:00Z"},"geometry":{"type":"Polygon",'
                        b'"coordinates":[[[120,30],[121,30],[121,31],[120,30]]]}}]}', "t.geojson",
                        {"feature": 0, "field": "geometry"}),
    "geojson point without time": (b'{"type":"FeatureCollection","features":[{"type":"Feature",'
                                   b'"properties":{},"geometry":{"type":"Point","coordinates":[120,30]}}]}',
                                   "t.geojson", {"feature": 0, "field": "time"}),
    "geojson line without times": (b'{"type":"Feature","properties":{},"geometry":{"type":'
                                   b'"LineString","coordinates":[[120,30],[120.1,30]]}}', "t.geojson",
                                   {"feature": 0, "field": "coordTimes"}),
    "csv time out of range": (b"time,lon,lat\n99999999999999999,120,30\n", "t.csv", {"line": 2, "field": "time"}),
    "csv year 9999": (b"time,lon,lat\n9999-12-31T23:59:59,120,30\n", "t.csv", {"line": 2, "field": "time"}),
    "binary as csv": (bytes(range(256)) * 4, "t.csv", {"field": "file"}),
    "binary as gpx": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "t.gpx", {"field": "file"}),
    "binary as geojson": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "t.geojson", {"field": "file"}),
    "empty file": (b"", "t.csv", {"field": "file"}),
    "header only": (b"time,lon,lat\n", "t.csv", {"field": "file"}),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_upload_is_refused_with_a_report_naming_the_problem(case):
    data, name, expected = MALFORMED[case]
    with pytest.raises(MalformedUpload) as info:
        read_upload(io.BytesIO(data), filename=name)
    report = info.value.as_dict()
    assert report["error"] == "malformed_upload" and report["stored"] is False
    assert any(all(p.get(k) == v for k, v in expected.items()) for p in report["problems"]), report
    assert report["detail"]


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_upload_stores_nothing(territory, case):
    data, name, _ = MALFORMED[case]
    team = territory.teams[territory.townships[0].code]
    with pytest.raises(MalformedUpload):
        upload_track(io.BytesIO(data), team=team, filename=name)
    assert Track.objects.count() == 0 and Fix.objects.count() == 0


def test_every_problem_of_a_malformed_upload_is_counted():
    rows = "".join(f"2026-05-04T08:00:{i:02d}Z,x{i},30\n" for i in range(60))
    with pytest.raises(MalformedUpload) as info:
        read_upload(io.BytesIO(("time,lon,lat\n" + rows).encode()), filename="t.csv")
    report = info.value.as_dict()
    assert report["problem_count"] == 60 and len(report["problems"]) == 50


def test_unknown_crs_is_refused():
    with pytest.raises(MalformedUpload) as info:
        read_upload(csv_file(_fixes()), filename="t.csv", crs="EPSG:9999")
    assert info.value.problems[0]["field"] == "crs"


# --- cleaning ------------------------------------------------------------------------------

def _clean(fixes, **kw):
    return clean(read_upload(csv_file(fixes), filename="t.csv"), **kw)


def test_clean_log_keeps_every_fix():
    result = _clean(_fixes())
    assert result.kept == len(_fixes()) and result.dropped == []


def test_duplicate_fix_is_dropped_and_reported_with_its_index():
    fixes = _fixes()
    fixes.insert(5, fixes[4])
    result = _clean(fixes)
    assert [(d["index"], d["reason"]) for d in result.dropped] == [(5, "duplicate")]
    assert "fix 4" in result.dropped[0]["detail"]


def test_out_of_order_fix_is_dropped_but_the_rest_of_the_log_is_kept():
    fixes = _fixes()
    late = fixes.pop(3)
    fixes.insert(10, late)  # fix recorded at minute 1.5 arrives after minute 4.5
    result = _clean(fixes)
    assert [(d["index"], d["reason"]) for d in result.dropped] == [(10, "out_of_order")]


def test_one_wrong_clock_reading_costs_one_fix_not_the_rest():
    fixes = _fixes()
    t, x, y = fixes[1]
    fixes[1] = (t + timedelta(days=1), x, y)  # a far-future time near the start of the file
    result = _clean(fixes)
    assert [(d["index"], d["reason"]) for d in result.dropped] == [(1, "out_of_order")]


def test_two_places_at_the_same_time_drop_the_second():
    fixes = _fixes()
    t, x, y = fixes[6]
    fixes.insert(7, (t, x + 0.0001, y))
    result = _clean(fixes)
    assert [(d["index"], d["reason"]) for d in result.dropped] == [(7, "same_time")]


def test_absurd_jump_is_dropped_as_too_fast():
    fixes = _fixes()
    t, x, y = fixes[8]
    fixes[8] = (t, x + 0.05, y)  # 5 km away 30 s later
    result = _clean(fixes)
    assert [(d["index"], d["reason"]) for d in result.dropped] == [(8, "too_fast")]
    assert "km/h" in result.dropped[0]["detail"]


def test_speed_limit_is_configurable(settings):
    fixes = walk(ROUTE, speed_kmh=60, step_s=10)
    assert _clean(fixes).dropped == []
    settings.PATROL_MAX_SPEED_KMH = 40
    assert {d["reason"] for d in _clean(fixes).dropped} == {"too_fast"}


def test_standing_still_is_kept():
    t = T0
    fixes = [(t + timedelta(minutes=k), 120.005, 30.005) for k in range(5)]
    assert _clean(fixes).kept == 5


# --- storing -------------------------------------------------------------------------------

def test_upload_stores_kept_fixes_the_line_and_the_report(territory):
    fixes = _fixes()
    fixes.insert(5, fixes[4])
    team = territory.teams[territory.townships[0].code]
    track = upload_track(csv_file(fixes), team=team, filename="t.csv")
    assert track.fixes_received == len(fixes) and track.fixes_kept == len(fixes) - 1
    assert track.fixes_dropped == 1
    assert track.fixes.count() == len(fixes) - 1
    assert track.report["dropped_fixes"][0]["index"] == 5
    assert track.report["dropped_by_reason"] == {"duplicate": 1}
    assert track.started_at == T0
    assert abs((track.ended_at - fixes[-1][0]).total_seconds()) < 1e-3
    assert track.geom.num_geom == 1
    # 1.6 km east then 1.1 km north; geodesic metres, not degrees.
    assert 2600 < track.length_m < 2800


def test_gap_breaks_the_stored_line(territory):
    first = walk([(120.002, 30.002), (120.006, 30.002)], step_s=30)
    second = walk([(120.006, 30.006), (120.002, 30.006)], start=first[-1][0] + timedelta(minutes=11),
                  step_s=30)
    team = territory.teams[territory.townships[0].code]
    track = upload_track(csv_file(first + second), team=team, filename="t.csv")
    assert track.geom.num_geom == 2
    assert track.report["line"]["pieces"] == 2


def test_stored_fixes_keep_time_and_accuracy(territory):
    fixes = _fixes()[:3]
    team = territory.teams[territory.townships[0].code]
    track = upload_track(csv_file(fixes, accuracy=4.0), team=team, filename="t.csv")
    stored = list(track.fixes.order_by("time"))
    assert [f.time for f in stored] == [f[0] for f in fixes]
    assert all(f.accuracy == 4.0 for f in stored)
    assert stored[0].geom.x == pytest.approx(fixes[0][1]) and stored[0].geom.srid == 4326


@pytest.mark.parametrize("value", [1e308, "1e308", "1e300", 1.7976931348623157e308])
def test_a_huge_unix_time_is_a_named_problem_not_an_overflow(value):
    with pytest.raises(ValueError, match="between 1990 and 2100"):
        parse_time(value, ZoneInfo("Asia/Shanghai"))


# --- the column-at-a-time CSV reader agrees with the row-by-row one --------------------------

def _row_by_row(data: bytes):
    from gis_app.patrols import csv_columns
    original = csv_columns.convert
    csv_columns.convert = lambda *args, **kwargs: None      # every chunk read row by row
    try:
        return read_upload(io.BytesIO(data), filename="t.csv")
    finally:
        csv_columns.convert = original


@pytest.mark.parametrize("times", [
    ["2026-05-04T08:00:00Z", "2026-05-04T08:00:05.5+08:00", "2026-05-04 08:00:10", " 2026-05-04T08:00:15.000001 "],
    ["1777852800", "1777852805.25", "1777852810000", "1777852815123.4"],
])
def test_csv_columns_read_as_row_by_row(times):
    rows = [f"{t},120.00{k}1,30.00{k}2,{'' if k % 2 else k * 1.5}" for k, t in enumerate(times)]
    data = ("time,lon,lat,accuracy\n" + "\n".join(rows) + "\n").encode()
    fast, slow = read_upload(io.BytesIO(data), filename="t.csv"), _row_by_row(data)
    assert fast.times_us.tolist() == slow.times_us.tolist()
    assert fast.lon.tolist() == slow.lon.tolist() and fast.lat.tolist() == slow.lat.tolist()
    assert np.array_equal(fast.accuracy, slow.accuracy, equal_nan=True)


@pytest.mark.parametrize("bad,field", [("20260504", "time"), ("nan", "lon"), ("-1", "accuracy"),
                                       ("1e300", "time"), ("inf", "lat")])
def test_a_bad_value_among_many_good_rows_is_named_with_its_line(bad, field):
    rows = [["2026-05-04T08:00:%02dZ" % (k % 60), "120.001", "30.001", "5"] for k in range(50)]
    rows[37][{"time": 0, "lon": 1, "lat": 2, "accuracy": 3}[field]] = bad
    data = ("time,lon,lat,accuracy\n" + "".join(",".join(r) + "\n" for r in rows)).encode()
    with pytest.raises(MalformedUpload) as info:
        read_upload(io.BytesIO(data), filename="t.csv")
    assert [(p["line"], p["field"]) for p in info.value.problems] == [(39, field)]


ALIKE = ["2026-05-04T08:00:%02d+08:00" % k for k in range(40)]


@pytest.mark.parametrize("lines,expected", [
    (ALIKE, True),                                                       # alike: one line read
    (ALIKE[:20] + ["2026-05-04T08:00:20Z"] + ALIKE[21:], True),          # another shape: all read
    (ALIKE[:20] + ["2026-05-04T08:00:2x+08:00"] + ALIKE[21:], False),    # same length, a letter
    (ALIKE[:20] + ["2026-05-04T08:00:20+08:0"] + ALIKE[21:], False),     # one character short
    (ALIKE[:20] + ["2026-05-04T08:00:20+08:000"] + ALIKE[21:], False),   # one too many
    (["2026/05/04 08:00:%02d" % k for k in range(40)], False),           # alike, not ISO
    (["1777852800%02d" % k for k in range(40)], False),                  # alike digits: numbers
    (ALIKE[:20] + ["２026-05-04T08:00:20+08:00"] + ALIKE[21:], True),    # not ASCII: the regex
                                                                         # (its \d takes any digit)
])
def test_iso_time_columns_are_checked_as_the_regex_checks_every_line(lines, expected):
    from gis_app.patrols import csv_columns
    text = "\n".join(lines)
    assert csv_columns._all_iso(text, len(lines)) is expected
    assert (csv_columns._ISO_LINES.fullmatch(text) is not None) is expected


def test_a_time_of_another_shape_among_alike_times_is_read_as_row_by_row():
    times = ["2026-05-04T08:00:%02d+08:00" % k for k in range(30)]
    times[17] = "2026-05-04T00:00:17.25Z"
    data = ("time,lon,lat\n" + "".join(f"{t},120.001,30.001\n" for t in times)).encode()
    fast, slow = read_upload(io.BytesIO(data), filename="t.csv"), _row_by_row(data)
    assert fast.times_us.tolist() == slow.times_us.tolist()


def test_duplicates_of_duplicates_name_the_first_fix():
    fixes = _fixes()
    fixes[6:6] = [fixes[2], fixes[2]]
    result = _clean(fixes)
    assert [(d["index"], d["reason"], d["detail"]) for d in result.dropped] == [
        (6, "duplicate", "same time and place as fix 2"), (7, "duplicate", "same time and place as fix 2")]


def test_a_too_fast_jump_late_in_a_long_log_is_dropped_and_the_log_goes_on_from_the_fix_before():
    fixes = _fixes()
    t, x, y = fixes[-3]
    fixes[-3] = (t, x + 0.5, y)           # 50 km away in 30 s
    result = _clean(fixes)
    assert [(d["index"], d["reason"]) for d in result.dropped] == [(len(fixes) - 3, "too_fast")]


def test_a_bad_value_after_blank_lines_and_a_quoted_value_over_two_lines_is_named_with_its_line():
    # Lines: 1 header, 2 good, 3 blank, 4-5 one row (its accuracy quoted over two lines),
    # 6 blank, 7 the bad row.
    data = (b"time,lon,lat,accuracy\n2026-05-04T08:00:00Z,120.001,30.001,5\n\n"
            b'2026-05-04T08:00:05Z,120.002,30.001,"5\n"\n\n2026-05-04T08:00:10Z,nan,30.001,5\n')
    with pytest.raises(MalformedUpload) as info:
        read_upload(io.BytesIO(data), filename="t.csv")
    assert [(p["line"], p["field"]) for p in info.value.problems] == [(7, "lon")]


def test_a_bad_row_past_the_first_chunk_is_named_with_its_line(settings):
    from gis_app.patrols import csv_columns
    rows = ["2026-05-04T%02d:%02d:%02dZ,120.001,30.001,5" % (k // 3600, k // 60 % 60, k % 60)
            for k in range(csv_columns.CHUNK_ROWS + 10)]
    rows[csv_columns.CHUNK_ROWS + 4] = rows[csv_columns.CHUNK_ROWS + 4].replace("120.001", "east")
    data = ("time,lon,lat,accuracy\n" + "\n".join(rows) + "\n").encode()
    with pytest.raises(MalformedUpload) as info:
        read_upload(io.BytesIO(data), filename="t.csv")
    assert [(p["line"], p["field"]) for p in info.value.problems] == [(csv_columns.CHUNK_ROWS + 6, "lon")]


def test_rows_before_a_broken_csv_line_are_read_and_the_break_is_named():
    data = (b"time,lon,lat\n2026-05-04T08:00:00Z,120.001,30.001\n2026-05-04T08:00:05Z,120.002,30.001\n"
            b"2026-05-04T08:00:10Z,120.003," + b"3" * 200_000 + b"\n")    # over csv's field limit
    with pytest.raises(MalformedUpload) as info:
        read_upload(io.BytesIO(data), filename="t.csv")
    assert [(p.get("line"), p["field"]) for p in info.value.problems] == [(4, "row")]


def test_a_csv_without_header_reads_its_first_row_as_a_fix():
    data = b"2026-05-04T08:00:00Z,120.001,30.001\n2026-05-04T08:00:05Z,120.002,30.001\n"
    fixes = read_upload(io.BytesIO(data), filename="t.csv")
    assert fixes.lon.tolist() == [120.001, 120.002]


def _through_csv_reader(data: bytes):
    from gis_app.patrols import csv_columns
    original = csv_columns.plain_lines
    csv_columns.plain_lines = lambda data: None              # never the plain path
    try:
        return read_upload(io.BytesIO(data), filename="t.csv")
    finally:
        csv_columns.plain_lines = original


@pytest.mark.parametrize("data", [
    b"time,lon,lat,accuracy\r\n2026-05-04T08:00:00Z,120.001,30.001,5\r\n2026-05-04T08:00:05Z,120.002,30.002,\r\n",
    b"\xef\xbb\xbf2026-05-04T08:00:00Z,120.001,30.001\n2026-05-04T08:00:05Z,120.002,30.002",
    b"lat,time,lon\n30.001,1777852800,120.001\n30.002,1777852805.5,120.002\n",
    b"time,lon,lat,accuracy\n2026-05-04T08:00:00Z,120.001,30.001,5\n2026-05-04T08:00:05Z,120.002,30.002\n",
    b'time,lon,lat\n"2026-05-04T08:00:00Z",120.001,30.001\n\n2026-05-04T08:00:05Z,120.002,30.002\n',
], ids=["crlf-and-an-empty-accuracy", "bom-no-header-no-last-newline", "columns-in-another-order",
        "rows-of-unequal-length", "quoted-and-blank-line"])
def test_a_file_reads_the_same_split_plainly_as_through_the_csv_reader(data):
    fast, slow = read_upload(io.BytesIO(data), filename="t.csv"), _through_csv_reader(data)
    assert fast.times_us.tolist() == slow.times_us.tolist()
    assert fast.lon.tolist() == slow.lon.tolist() and fast.lat.tolist() == slow.lat.tolist()
    assert np.array_equal(fast.accuracy, slow.accuracy, equal_nan=True)


@pytest.mark.parametrize("text,plain", [
    (b"a,b\nc,d\n", True), (b"a,b\r\nc,d\r\n", True), (b'a,b\n"c",d\n', False), (b"a,b\n\nc,d\n", False),
    (b"a,b\rc,d\n", False), (b"a,b\nc,d,e\n", False), (b"a,b\n\xff,d\n", False),
])
def test_only_files_the_csv_reader_would_read_one_row_a_line_are_split_plainly(text, plain):
    from gis_app.patrols import csv_columns
    assert (csv_columns.plain_lines(text) is not None) is plain


def test_a_bad_value_in_a_plain_file_is_named_with_its_line():
    data = b"time,lon,lat\n2026-05-04T08:00:00Z,120.001,30.001\n2026-05-04T08:00:05Z,east,30.002\n"
    with pytest.raises(MalformedUpload) as info:
        read_upload(io.BytesIO(data), filename="t.csv")
    assert [(p["line"], p["field"]) for p in info.value.problems] == [(3, "lon")]
