"""locate.spatial_order: the order a large batch's points are read in, pieces of neighbours."""
import random

from gis_app.enforcement.locate import ORDER_BANDS, spatial_order


def _random_points(n=4000, seed=3):
    rng = random.Random(seed)
    return [rng.uniform(116.2, 116.8) for _ in range(n)], [rng.uniform(27.2, 27.8) for _ in range(n)]


def test_the_order_is_every_index_once():
    lons, lats = _random_points()
    assert sorted(spatial_order(lons, lats)) == list(range(len(lons)))


def test_pieces_of_the_order_are_bands_of_latitude():
    # Cut into pieces as a batch is, each piece lies in its own band: a piece reaches at most
    # into the band of the piece next to it, never past it.
    lons, lats = _random_points()
    order = spatial_order(lons, lats)
    piece = len(order) // 6
    bands = [[lats[i] for i in order[k:k + piece]] for k in range(0, len(order), piece)]
    for this, after_next in zip(bands, bands[2:]):
        assert max(this) <= min(after_next)
    height = max(lats) - min(lats)
    assert all(max(b) - min(b) < height / 3 for b in bands)   # random order: the whole height


def test_within_a_band_points_run_west_to_east():
    lons, lats = _random_points()
    order = spatial_order(lons, lats)
    south, north = min(lats), max(lats)
    band = [i for i in order if int((lats[i] - south) / (north - south) * ORDER_BANDS) == 5]
    assert band and [lons[i] for i in band] == sorted(lons[i] for i in band)


def test_points_on_one_latitude_are_ordered_by_longitude():
    assert spatial_order([3.0, 1.0, 2.0], [30.0, 30.0, 30.0]) == [1, 2, 0]


def test_no_points_no_order():
    assert spatial_order([], []) == []


def test_points_on_one_longitude_are_ordered_by_band():
    order = spatial_order([116.5] * 4, [27.8, 27.2, 27.5, 27.3])
    assert order == [1, 3, 2, 0]


def test_the_eastmost_point_of_a_band_comes_before_the_next_bands_westmost():
    # band 0 holds the south-east corner; band 1 starts at the far west
    lons, lats = [117.0, 116.0, 116.5], [27.0, 27.0 + 1.5 / ORDER_BANDS, 28.0]
    assert spatial_order(lons, lats) == [0, 1, 2]
