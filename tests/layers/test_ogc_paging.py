"""OGC items paged by cursor (layers/paging.py): the next/prev links walk every feature the
user may see exactly once, in the collection's order, either way; a cursor says where a page
starts and never widens what is seen; a cursor not given out for the collection is a 400."""
from urllib.parse import parse_qs, urlparse

import pytest

from layers.catalogue import layers
from layers.paging import Cursor
from tests.layers.conftest import ROLES, client_for

pytestmark = pytest.mark.django_db


def _params(href: str) -> tuple[str, dict]:
    url = urlparse(href)
    return url.path, {k: v[0] for k, v in parse_qs(url.query).items()}


def _link(doc, rel):
    found = [l["href"] for l in doc["links"] if l["rel"] == rel]
    return found[0] if found else None


def walk(client, layer_id: str, rel: str = "next", **params) -> tuple[list[list], dict]:
    """Pages (lists of feature ids) from the first request along `rel` links; the last page."""
    path, pages = f"/ogc/collections/{layer_id}/items", []
    while True:
        response = client.get(path, params)
        assert response.status_code == 200, response.content
        doc = response.json()
        pages.append([f["id"] for f in doc["features"]])
        href = _link(doc, rel)
        if href is None:
            return pages, doc
        path, params = _params(href)


def everything(client, layer_id: str) -> list:
    return [f["id"] for f in client.get(f"/ogc/collections/{layer_id}/items", {"limit": 10000}).json()["features"]]


@pytest.mark.parametrize("layer_id", ["grids", "cases", "tracks", "teams", "townships"])
def test_next_links_walk_every_feature_once_in_the_collections_order(world, layer_id):
    client = client_for(world.users["command"])
    pages, _ = walk(client, layer_id, limit=3)
    walked = [i for p in pages for i in p]
    assert walked == everything(client, layer_id) and len(walked) == len(set(walked)) > 0


@pytest.mark.parametrize("layer_id", ["grids", "cases"])
def test_prev_links_walk_back_over_the_same_pages(world, layer_id):
    client = client_for(world.users["command"])
    forward, last = walk(client, layer_id, limit=3)
    path, params = _params(_link(last, "self"))
    backward, first = walk(client, layer_id, rel="prev", **params)
    assert backward == forward[::-1]
    assert _link(first, "prev") is None


def test_next_links_carry_a_cursor_and_no_offset(world):
    doc = client_for(world.users["command"]).get("/ogc/collections/grids/items", {"limit": 10}).json()
    _, params = _params(_link(doc, "next"))
    assert set(params) == {"limit", "cursor"}


def test_a_cursor_page_counts_every_matched_feature_and_returns_its_own(world):
    client = client_for(world.users["command"])
    first = client.get("/ogc/collections/grids/items", {"limit": 10}).json()
    path, params = _params(_link(first, "next"))
    second = client.get(path, params).json()
    assert second["numberMatched"] == first["numberMatched"] == 64
    assert second["numberReturned"] == 10 == len(second["features"])


def test_an_offset_page_still_pages_and_its_next_link_goes_on_from_it(world):
    client = client_for(world.users["command"])
    everyone = everything(client, "grids")
    doc = client.get("/ogc/collections/grids/items", {"limit": 10, "offset": 20}).json()
    assert [f["id"] for f in doc["features"]] == everyone[20:30]
    path, params = _params(_link(doc, "next"))
    assert [f["id"] for f in client.get(path, params).json()["features"]] == everyone[30:40]


def test_cursor_pages_keep_the_bbox_filter_of_the_first_request(world):
    client = client_for(world.users["command"])
    bbox = "120.001,30.001,120.039,30.039"
    pages, _ = walk(client, "grids", limit=4, bbox=bbox)
    walked = [i for p in pages for i in p]
    whole = client.get("/ogc/collections/grids/items", {"limit": 1000, "bbox": bbox}).json()
    assert walked == [f["id"] for f in whole["features"]] and 4 < len(walked) < 64


@pytest.mark.parametrize("role", ROLES + ("other_command",))
def test_every_role_pages_through_exactly_the_cases_it_may_see(world, role):
    user = world.users[role]
    pages, _ = walk(client_for(user), "cases", limit=1)
    walked = [i for p in pages for i in p]
    visible = list(layers().get("cases").queryset_for(user, {}).order_by("-id").values_list("number", flat=True))
    assert walked == visible


@pytest.mark.parametrize("before", [False, True])
def test_a_cursor_at_another_countys_case_shows_only_your_own(world, before):
    """A cursor positioned at the neighbour's case (as the server gives out to its command
    centre) used at home, either way: the cursor positions, the user's scope decides."""
    other = world.cases["other"]
    cursor = Cursor((other.pk,), before=before).encode(layers().get("cases"))
    for role in ("command", "grid", "team"):
        user = world.users[role]
        doc = client_for(user).get("/ogc/collections/cases/items", {"cursor": cursor}).json()
        got = [f["id"] for f in doc["features"]]
        visible = layers().get("cases").queryset_for(user, {})
        expected = visible.filter(**{"pk__gt" if before else "pk__lt": other.pk}).order_by("-id")
        assert got == list(expected.values_list("number", flat=True))
        assert other.number not in got


@pytest.mark.parametrize("cursor", ["not-a-cursor", "", "W10:1abc:def"])
def test_a_cursor_not_given_out_is_400_naming_the_parameter(world, cursor):
    response = client_for(world.users["command"]).get("/ogc/collections/cases/items", {"cursor": cursor})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["parameter"] == "cursor"


def test_a_tampered_cursor_is_400(world):
    client = client_for(world.users["command"])
    doc = client.get("/ogc/collections/grids/items", {"limit": 5}).json()
    path, params = _params(_link(doc, "next"))
    cursor = params["cursor"]
    params["cursor"] = cursor[:-3] + ("AAA" if cursor[-3:] != "AAA" else "BBB")
    response = client.get(path, params)
    assert response.status_code == 400 and response.json()["parameter"] == "cursor"


def test_a_cursor_of_another_collection_is_400(world):
    client = client_for(world.users["command"])
    doc = client.get("/ogc/collections/grids/items", {"limit": 5}).json()
    _, params = _params(_link(doc, "next"))
    response = client.get("/ogc/collections/cases/items", {"cursor": params["cursor"]})
    assert response.status_code == 400 and response.json()["parameter"] == "cursor"
    assert "cases" in response.json()["detail"]


def test_offset_and_cursor_together_are_400_naming_offset(world):
    client = client_for(world.users["command"])
    doc = client.get("/ogc/collections/grids/items", {"limit": 5}).json()
    path, params = _params(_link(doc, "next"))
    response = client.get(path, {**params, "offset": 5})
    assert response.status_code == 400 and response.json()["parameter"] == "offset"


def test_the_html_page_links_on_by_cursor(world):
    client = client_for(world.users["command"])
    response = client.get("/ogc/collections/grids/items", {"limit": 10, "f": "html"})
    assert response.status_code == 200
    assert "cursor=" in response.content.decode() and "offset 0" in response.content.decode()
