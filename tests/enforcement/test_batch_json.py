"""batch_answers._json_parts: a decision's answer written to JSON once, cut where each point's
own fields go; an answer is the parts joined with its own values' JSON (the batch's answers)."""
import orjson
import pytest

from gis_app.enforcement.batch_answers import _HOLE, _json_parts

AWKWARD = 'a "quoted" name \\ with a backslash, \ue000 and 乡镇'


def _filled(parts, values):
    out = parts[0]
    for value, part in zip(values, parts[1:]):
        out += orjson.dumps(value) + part
    return out


@pytest.mark.parametrize("data, holes", [
    ({"a": 1, "v": 0, "b": [1, AWKWARD], "g": 0, "c": None}, ("v", "g")),
    ({"v": 0, "a": {"name": AWKWARD}}, ("v",)),
    ({"a": 1, "v": 0}, ("v",)),
    ({"v": 0, "g": 0}, ("v", "g")),
    ({"a": 1, "v": 0, "g": 0, "b": 2}, ("v", "g")),
    ({"a": f"a name that holds the marker {_HOLE}", "v": 0, "g": 0, "b": [_HOLE]}, ("v", "g")),
], ids=["between", "first", "last", "only holes", "adjacent", "the marker in a value"])
def test_the_parts_joined_with_values_read_as_the_dict_with_those_values(data, holes):
    values = [["own", key, AWKWARD] for key in holes]
    got = orjson.loads(_filled(_json_parts(data, holes), values))
    want = {**data, **dict(zip(holes, values))}
    assert got == want
    assert list(got) == list(data)          # the dict's field order


def test_holes_out_of_the_dicts_order_are_refused():
    with pytest.raises(ValueError):
        _json_parts({"a": 1, "v": 0, "g": 0}, ("g", "v"))


def test_a_hole_that_is_not_a_key_is_refused():
    with pytest.raises(ValueError):
        _json_parts({"a": 1}, ("v",))
