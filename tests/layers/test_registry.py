"""The registry: the declared layers, its rules, and that one declaration is all a new layer
needs to appear as tiles, TileJSON, an OGC collection and in the API definition."""
import pytest

from boundaries.models import Village
from gis_app.api.access import restrict
from layers.catalogue import layers
from layers.registry import POLYGON, REGISTRY, Attribute, Layer, Registry, Style
from tests.layers.conftest import decode, tile_path

LAYER_IDS = ["counties", "townships", "villages", "grids", "protected-areas", "hubs", "teams", "cases",
             "case-footprints",
             "tracks", "coverage", "live-positions"]


def test_layer_ids_are_the_agreed_ones():
    assert layers().ids() == LAYER_IDS


def test_every_layer_declares_code_name_style_and_geometry_type():
    for layer in layers():
        names = [a.name for a in layer.attributes]
        assert names[:2] == ["code", "name"], layer.id
        assert layer.style.base and layer.geometry_type in ("MultiPolygon", "Point", "MultiLineString")


def _layer(layer_id="x", attributes=(Attribute("code"), Attribute("name"))):
    return Layer(id=layer_id, title="x", description="x", geometry_type=POLYGON,
                 rows=lambda user, options: Village.objects.all(), attributes=attributes,
                 style=Style(base={}))


def test_a_layer_without_code_or_name_is_refused():
    with pytest.raises(ValueError, match="name"):
        Registry().register(_layer(attributes=(Attribute("code"),)))


def test_a_layer_declared_twice_is_refused():
    registry = Registry()
    registry.register(_layer())
    with pytest.raises(ValueError, match="twice"):
        registry.register(_layer())


@pytest.fixture
def extra_layer():
    """One more declaration (villages as 'hamlets'), removed again after the test."""
    layer = REGISTRY.register(Layer(
        id="hamlets", title="自然村", description="Villages again, under another name.", geometry_type=POLYGON,
        rows=lambda user, options: restrict(Village.objects.all(), user),
        attributes=(Attribute("code"), Attribute("name"), Attribute("township", "township__code")),
        style=Style(base={"color": "#000"}), id_field="code", id_type="string", ordering=("code",)))
    yield layer
    del REGISTRY._layers["hamlets"]


def test_one_declaration_makes_tiles_tilejson_collection_and_api_paths(world, get, extra_layer):
    features = decode(get("command", tile_path("hamlets", 120.005, 30.005, 14)), "hamlets")
    assert [f["properties"]["code"] for f in features] == ["990101001001"]
    assert get("command", "/tiles/hamlets.json").json()["vector_layers"][0]["fields"]["township"] == "String"
    assert "hamlets" in [c["id"] for c in get("command", "/ogc/collections").json()["collections"]]
    items = get("command", "/ogc/collections/hamlets/items").json()
    assert items["numberMatched"] == 16
    assert "/collections/hamlets/items" in get("command", "/ogc/api").json()["paths"]


@pytest.mark.parametrize("layer_id", LAYER_IDS)
def test_every_attribute_has_a_chinese_label(layer_id):
    unlabelled = [a.name for a in layers().get(layer_id).attributes
                  if not any("\u4e00" <= ch <= "\u9fff" for ch in a.label)]
    assert unlabelled == [], f"{layer_id}: attributes without a Chinese label"


def test_coded_attributes_take_their_words_from_the_vocabularys_one_home():
    from boundaries.models import ProtectedArea
    from gis_app.enforcement.answer_text import MODES, SEVERITIES
    from gis_app.enforcement.models import Team
    from gis_app.incidents.models import State

    def words(layer_id, name):
        return next(a.words for a in layers().get(layer_id).attributes if a.name == name)

    assert words("cases", "state") == dict(State.choices)
    assert words("cases", "mode") is MODES and words("cases", "severity") is SEVERITIES
    assert words("protected-areas", "zone") == dict(ProtectedArea.Zone.choices)
    assert words("teams", "kind") == words("live-positions", "team_kind") == dict(Team.Kind.choices)


def test_the_pages_mode_severity_and_zone_words_are_the_domains():
    from boundaries.models import ProtectedArea
    from gis_app.enforcement.answer_text import MODES, SEVERITIES
    from gis_app.pages import labels

    assert labels.MODE_LABELS is MODES and labels.SEVERITY_LABELS is SEVERITIES
    assert labels.ZONE_LABELS == dict(ProtectedArea.Zone.choices)
