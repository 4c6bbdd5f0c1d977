"""POST /api/route/batch: many points in one request, one answer per point, in order."""
import json
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boundaries.crs import wgs84_to_gcj02
from boundaries.branches import refresh_grid_branches
from gis_app.enforcement.answer_text import translate_answer
from gis_app.enforcement.routing import MAX_BATCH, Refused, route
from gis_app.web.refusal_text import localize
from tests.enforcement.helpers import at
from tests.territory import grant, make_hub, make_territory, make_zone
from tests.users import auth_header, make_user

URL = "/api/route/batch"


@pytest.fixture
def counties(db):
    west = make_territory(code="990101", cols=3, rows=2)
    east = make_territory(code="990102", name="东县", origin=(121.0, 30.0))
    t = west.townships
    grant(t[0], west.items["I001"], "statutory")
    grant(t[1], west.items["I001"], "granted")
    grant(t[2], west.items["I002"], "entrusted", west.departments["ZHZF"])
    grant(t[3], west.items["I002"], "county")
    grant(t[4], west.items["I003"], "none")
    make_hub(t[0], [t[1], t[4]])
    make_zone(west.county, "NR1", "core", (120.02, 30.02, 120.05, 30.05), "STHJ")
    make_zone(west.county, "FP1", "buffer", (120.0, 30.0, 120.06, 30.06), "ZYGH", kind="forest_park")
    for county in (west, east):
        refresh_grid_branches(county.county)
    return west, east


@pytest.fixture
def member(counties):
    return make_user("cc", "command_centre", counties[0].county)


def post(client, user, body):
    return client.post(URL, json.dumps(body), content_type="application/json", **auth_header(user))


def test_batch_answers_each_point_in_order_with_its_id(client, member):
    body = {"item": "I001", "points": [
        {"lon": 120.005, "lat": 30.005, "id": "a"},
        {"lon": 120.045, "lat": 30.005, "id": 7},
        {"lon": 120.13, "lat": 30.01},
    ]}
    res = post(client, member, body)
    assert res.status_code == 200
    data = res.json()
    assert data["count"] == 3 and data["crs"] == "EPSG:4326"
    results = data["results"]
    assert [r["index"] for r in results] == [0, 1, 2]
    assert [r["id"] for r in results] == ["a", 7, None]
    assert [(r["township"] or {}).get("code") for r in results] == ["990101001", "990101002", None]
    assert results[2]["at_sea"] is True and results[2]["status"] == 200


def test_per_point_item_overrides_the_default(client, member):
    res = post(client, member, {"item": "I001", "points": [
        {"lon": 120.085, "lat": 30.005, "item": "I002"}, {"lon": 120.085, "lat": 30.005}]})
    r = res.json()["results"]
    assert [x["item"]["code"] for x in r] == ["I002", "I001"]
    assert [x["mode"] for x in r] == ["entrusted", "whistle"]


def test_a_bad_point_fails_alone(client, member, counties):
    res = post(client, member, {"item": "I001", "points": [
        {"lon": "abc", "lat": 30.0},
        {"lon": 119.0, "lat": 30.0},                    # outside every county
        {"lon": 120.005, "lat": 30.005, "item": "NOPE"},
        {"lon": 121.005, "lat": 30.005},                # the other county
        {"lat": 30.0},
        "not an object",
        {"lon": 120.0, "lat": 95.0},
        {"lon": 120.005, "lat": 30.005},
    ]})
    assert res.status_code == 200
    r = res.json()["results"]
    assert [x["status"] for x in r] == [400, 422, 400, 403, 400, 400, 400, 200]
    assert r[0]["parameter"] == "points[0].lon"
    assert r[1]["error"] == "outside_jurisdiction" and r[1]["nearest"]["code"] == "990101001"
    assert r[2]["parameter"] == "item"
    assert r[3]["error"] == "forbidden"
    assert r[4]["parameter"] == "points[4].lon"
    assert r[5]["parameter"] == "points[5]"
    assert r[6]["parameter"] == "points[6].lat"
    assert r[7]["mode"] == "township"


def test_a_point_without_any_item_is_refused_naming_item(client, member):
    r = post(client, member, {"points": [{"lon": 120.005, "lat": 30.005}]}).json()["results"][0]
    assert (r["status"], r["parameter"]) == (400, "points[0].item")


def test_batch_converts_the_requests_crs(client, member):
    glon, glat = (float(v) for v in wgs84_to_gcj02(120.005, 30.005))
    r = post(client, member, {"crs": "GCJ02", "item": "I001",
                              "points": [{"lon": glon, "lat": glat}]}).json()
    assert r["received_crs"] == "GCJ02"
    assert r["results"][0]["grid"]["code"] == "990101001001001"
    assert r["results"][0]["query"]["received"]["crs"] == "GCJ02"


def test_csv_upload_routes_every_row(client, member):
    csv_text = "lon,lat,item,id\n120.005,30.005,I001,r1\n120.13,30.01,,r2\nx,30,I001,r3\n120.005,30.005,I001\n"
    upload = SimpleUploadedFile("points.csv", csv_text.encode(), content_type="text/csv")
    res = client.post(URL, {"file": upload, "item": "I002"}, **auth_header(member))
    assert res.status_code == 200
    r = res.json()["results"]
    assert [x["id"] for x in r] == ["r1", "r2", "r3", None]
    assert [x["status"] for x in r] == [200, 200, 400, 400]
    assert r[1]["item"]["code"] == "I002" and r[1]["mode"] == "marine"
    assert r[2]["parameter"] == "points[2].lon"
    assert "has 3 cells" in r[3]["detail"]


def test_csv_upload_with_the_crs_as_a_form_field(client, member):
    glon, glat = (float(v) for v in wgs84_to_gcj02(120.005, 30.005))
    upload = SimpleUploadedFile("p.csv", f"lon,lat\n{glon},{glat}\n".encode())
    res = client.post(URL, {"file": upload, "item": "I001", "crs": "gcj-02"}, **auth_header(member))
    assert res.json()["results"][0]["grid"]["code"] == "990101001001001"


@pytest.mark.parametrize("csv_text,reason", [
    ("", "empty"), ("x,y\n1,2\n", "lacks column"), ("lon,lat,colour\n1,2,red\n", "unknown column")])
def test_csv_without_a_usable_header_is_a_400_naming_file(client, member, csv_text, reason):
    upload = SimpleUploadedFile("p.csv", csv_text.encode())
    res = client.post(URL, {"file": upload, "item": "I001"}, HTTP_ACCEPT_LANGUAGE="en", **auth_header(member))
    assert (res.status_code, res.json()["parameter"]) == (400, "file")
    assert reason in res.json()["detail"]


@pytest.mark.parametrize("body,parameter", [
    ([1, 2], "body"),
    ({"item": "I001"}, "points"),
    ({"points": {"lon": 1}}, "points"),
    ({"points": []}, "points"),
    ({"crs": "EPSG:1", "points": [{"lon": 1, "lat": 1}]}, "crs"),
    ({"item": 5, "points": [{"lon": 1, "lat": 1}]}, "item"),
    ({"points": [{"lon": 1, "lat": 1}], "extra": 1}, "extra"),
])
def test_a_malformed_body_is_a_400(client, member, body, parameter):
    res = post(client, member, body)
    assert (res.status_code, res.json()["parameter"]) == (400, parameter)


def test_unparseable_json_is_a_400(client, member):
    res = client.post(URL, "{not json", content_type="application/json", **auth_header(member))
    assert res.status_code == 400


def test_more_than_ten_thousand_points_is_a_400(client, member):
    body = {"item": "I001", "points": [{"lon": 120.005, "lat": 30.005}] * (MAX_BATCH + 1)}
    res = post(client, member, body)
    assert (res.status_code, res.json()["parameter"]) == (400, "points")


def test_multipart_without_a_file_is_a_400_naming_file(client, member):
    res = client.post(URL, {"item": "I001"}, **auth_header(member))
    assert (res.status_code, res.json()["parameter"]) == (400, "file")


def test_batch_needs_authentication_and_membership(client, counties):
    body = {"item": "I001", "points": [{"lon": 120.005, "lat": 30.005}]}
    assert client.post(URL, json.dumps(body), content_type="application/json").status_code == 401
    assert post(client, make_user("nobody"), body).status_code == 403


def test_superuser_batch_spans_counties(client, counties):
    body = {"item": "I001", "points": [{"lon": 120.005, "lat": 30.005}, {"lon": 121.005, "lat": 30.005}]}
    r = post(client, make_user("root", superuser=True), body).json()["results"]
    assert [x["county"]["code"] for x in r] == ["990101", "990102"]


def test_a_large_batch_leaves_the_cyclic_collector_running(client, member):
    import gc

    points = [{"lon": 120.005 + i * 1e-5, "lat": 30.005} for i in range(150)]
    assert post(client, member, {"item": "I001", "points": points}).status_code == 200
    assert gc.isenabled()


def test_batch_query_count_does_not_grow_with_the_points(client, member):
    # Every kind of point: plain land, hub-covered, in zones, at sea, outside, other county.
    kinds = [(120.005, 30.005), (120.045, 30.005), (120.03, 30.03), (120.13, 30.01),
             (119.0, 30.0), (121.005, 30.005)]

    def run(repeat):
        pts = [{"lon": x + 1e-6 * k, "lat": y, "item": ["I001", "I002", "I003"][k % 3]}
               for k in range(repeat) for x, y in kinds]
        with CaptureQueriesContext(connection) as q:
            assert post(client, member, {"points": pts}).status_code == 200
        return len(q)

    run(1)  # the first request also creates the test user's token
    assert run(400) == run(10)


def test_points_sharing_a_decision_get_their_own_grid_trace_lines_and_query(client, member):
    # Same township, zones and item (one decision key), two grids: the decision is made once
    # and shared; each answer still names its own village, grid, lines and coordinates.
    points = [(120.005, 30.005), (120.015, 30.005), (120.005, 30.005)]
    res = post(client, member, {"item": "I001", "points": [{"lon": x, "lat": y} for x, y in points]})
    a, b, c = res.json()["results"]
    assert a["township"] == b["township"] and a["mode"] == b["mode"] and a["team"] == b["team"]
    assert a["village"] == b["village"] and a["grid"]["code"] != b["grid"]["code"]
    assert [line for line in a["trace"] if line not in b["trace"]] == [
        a["trace"][0], f"网格 {a['grid']['code']} {a['grid']['name']} 覆盖该点"]
    assert a["query"]["stored"]["lon"] == 120.005 and b["query"]["stored"]["lon"] == 120.015
    assert b["trace"][0].startswith("坐标 (120.0150000, 30.0050000)")
    c.pop("index")
    a.pop("index")
    assert a == c        # the same point again: the same answer, not a changed shared one


# --- batch == single -----------------------------------------------------------------------------

def _special_points(west):
    """Vertices, edge midpoints, the shoreline, the sea, and points just outside."""
    x0, y0, x1, y1 = west.land_bbox
    q = 0.01
    pts = []
    for i in range(0, 17, 2):
        for j in range(0, 9, 2):
            pts.append((x0 + i * q, y0 + j * q))           # lattice vertices, incl. the shore
    pts += [(x0 + i * q + q / 2, y0) for i in range(16)]     # south edge
    pts += [(x0 - 1e-7, 30.03), (x1 + 0.04 + 1e-7, 30.03), (x0 + 0.02, y0 - 1e-7),
            (x1 + 0.02, y1), (x1 + 0.02, y1 + 0.001)]
    return pts


@pytest.fixture(params=["one read", "read in pieces"])
def pieces(request, monkeypatch):
    """Batches read in one statement, or (as batches of more than PIECE_POINTS are) in pieces
    (each piece with a RuleBook of its own)."""
    if request.param == "one read":
        yield
        return
    import gis_app.enforcement.locate as locate
    import gis_app.enforcement.routing as routing
    monkeypatch.setattr(locate, "PIECE_POINTS", 37)
    monkeypatch.setattr(routing, "PIECE_POINTS", 37)
    offsets = []
    real = routing.read_territory_pieces

    def spy(*args, **kwargs):
        for offset, read in real(*args, **kwargs):
            offsets.append(offset)
            yield offset, read

    monkeypatch.setattr(routing, "read_territory_pieces", spy)
    yield
    assert len(offsets) > 5                # the batch really was read in pieces


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("english", [False, True], ids=["chinese", "english"])
def test_batch_answers_match_single_point_routing(client, counties, pieces, english):
    # transaction=True: pieces are read in a transaction of their own, as in a request.
    west, _ = counties
    admin = make_user("root", superuser=True)
    rng = random.Random(4)
    pts = _special_points(west)
    pts += [(rng.uniform(119.99, 120.17), rng.uniform(29.99, 30.09)) for _ in range(300)]
    items = [rng.choice(["I001", "I002", "I003", "I004"]) for _ in pts]
    body = {"points": [{"lon": x, "lat": y, "item": it} for (x, y), it in zip(pts, items)]}
    language = {"HTTP_ACCEPT_LANGUAGE": "en"} if english else {}
    results = client.post(URL, json.dumps(body), content_type="application/json", **language,
                          **auth_header(admin)).json()["results"]
    assert len(results) == len(pts)
    statuses = set()
    for (x, y), item, got in zip(pts, items, results):
        try:
            single = route(at(x, y), item).as_dict()
            single = single if english else translate_answer(single)
            single_status = 200
        except Refused as exc:   # a refusal reads as the single route's would
            single, single_status = localize(exc.refusal.as_dict(), english=english), exc.refusal.status
        statuses.add(single_status)
        assert list(got)[:3] == ["index", "id", "status"]
        assert got.pop("status") == single_status
        got.pop("index"), got.pop("id")
        assert list(got) == list(single)    # the single route's fields in its order
        single.pop("deadline", None), got.pop("deadline", None)
        if single_status == 200:
            single["trace"], got["trace"] = single["trace"][:-1], got["trace"][:-1]  # clock line
        assert got == single, (x, y, item)
    assert statuses == {200, 422}
    assert sum(r.get("at_sea") is True for r in results) > 0
    assert sum(r.get("hub") is not None for r in results) > 0


# --- the trace's language -------------------------------------------------------------------------

def _traces(client, user, language):
    points = [(120.005, 30.005, "I001"), (120.045, 30.005, "I001"), (120.03, 30.03, "I002"),
              (120.13, 30.01, "I003")]
    batch = post_language(client, user, {"points": [{"lon": x, "lat": y, "item": i} for x, y, i in points]},
                          language)
    singles = [client.get("/api/route", {"lon": x, "lat": y, "item": i}, **language,
                          **auth_header(user)).json()["trace"] for x, y, i in points]
    return [r["trace"] for r in batch.json()["results"]], singles


def post_language(client, user, body, language):
    return client.post(URL, json.dumps(body), content_type="application/json", **language,
                       **auth_header(user))


def test_batch_traces_are_in_chinese_by_default_line_for_line_as_the_single_route(client, member):
    batch, singles = _traces(client, member, {})
    assert batch == singles
    lines = [line for trace in batch for line in trace]
    assert any("覆盖该点" in line for line in lines) and any("承办队伍" in line for line in lines)
    assert not any("covers the point" in line or line.startswith("team:") for line in lines)


def test_batch_traces_are_in_english_when_asked_line_for_line_as_the_single_route(client, member):
    batch, singles = _traces(client, member, {"HTTP_ACCEPT_LANGUAGE": "en"})
    assert batch == singles
    assert batch[0][1] == "county 990101 测试县 covers the point"


# --- pieces of neighbouring points ----------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_batch_read_in_pieces_of_neighbours_answers_in_the_clients_order(client, counties,
                                                                           monkeypatch):
    # The points are sent north to south; they are read in pieces of neighbouring points
    # (bands of latitude, locate.spatial_order), yet every answer is in its point's place,
    # with its id and its own coordinates.
    import gis_app.enforcement.locate as locate
    import gis_app.enforcement.routing as routing
    west, _ = counties
    monkeypatch.setattr(locate, "PIECE_POINTS", 25)
    monkeypatch.setattr(routing, "PIECE_POINTS", 25)
    pieces = []
    real = routing.read_territory_pieces

    def spy(lons, lats, item_codes, *args, **kwargs):
        for offset, read in real(lons, lats, item_codes, *args, **kwargs):
            pieces.append(lats[offset:offset + len(read.locations)])
            yield offset, read

    monkeypatch.setattr(routing, "read_territory_pieces", spy)
    rng = random.Random(9)
    pts = [(round(rng.uniform(120.0, 120.16), 6), round(rng.uniform(30.0, 30.08), 6))
           for _ in range(150)]
    pts.sort(key=lambda p: (-p[1], p[0]))                   # north to south
    body = {"item": "I001", "points": [{"lon": x, "lat": y, "id": f"p{k}"}
                                       for k, (x, y) in enumerate(pts)]}
    results = post(client, make_user("root", superuser=True), body).json()["results"]
    assert [len(p) for p in pieces] == [25] * 6
    for this, after_next in zip(pieces, pieces[2:]):
        assert max(this) <= min(after_next)                  # bands, south to north
    for k, ((x, y), answer) in enumerate(zip(pts, results)):
        assert (answer["index"], answer["id"]) == (k, f"p{k}")
        assert (answer["query"]["stored"]["lon"], answer["query"]["stored"]["lat"]) == (x, y)
