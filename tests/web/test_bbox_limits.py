"""A bbox costs the same whatever its shape: no unbounded densification, no 500 for a sliver."""
import pytest
import shapely

from boundaries.crs import CRS, from_wgs84
from gis_app.web.params import box_in_wgs84


def vertices(polygon) -> int:
    return len(shapely.get_coordinates(polygon))


@pytest.mark.parametrize("crs, box", [
    ("EPSG:3857", (13580000, 3590000, 13590000, 3590000.0001)),    # 10 km by 0.1 mm
    ("EPSG:3857", (13580000, 3590000, 13580000.0001, 3600000)),    # 0.1 mm by 10 km
    ("EPSG:4527", (39500000, 3400000, 39600000, 3400000.000001)),  # Gauss-Kruger sliver
    ("GCJ02", (122.0, 30.0, 122.5, 30.0000000001)),
])
def test_thin_box_has_a_bounded_number_of_vertices(crs, box):
    polygon = box_in_wgs84(*box, CRS(crs))
    assert vertices(polygon) <= 4 * 16 + 1
    assert polygon.is_valid and polygon.geom_type == "Polygon"


def test_thin_box_keeps_its_exact_extent():
    x0, y0 = from_wgs84(122.0, 30.5, CRS("EPSG:3857"))
    x1, _ = from_wgs84(122.2, 30.5, CRS("EPSG:3857"))
    polygon = box_in_wgs84(float(x0), float(y0), float(x1), float(y0) + 0.001, CRS("EPSG:3857"))
    minx, miny, maxx, maxy = polygon.bounds
    assert (round(minx, 6), round(maxx, 6)) == (122.0, 122.2)
    assert abs(miny - 30.5) < 1e-6 and 0 < maxy - miny < 1e-7


def test_projected_box_edges_still_follow_the_curve():
    polygon = box_in_wgs84(39400000, 3300000, 39600000, 3500000, CRS("EPSG:4527"))
    assert vertices(polygon) == 4 * 16 + 1


@pytest.mark.django_db
@pytest.mark.parametrize("query", [
    "bbox=13580000,3590000,13590000,3590000.0001&bbox-crs=EPSG:3857",
    "bbox=0,0,180,1e-12&bbox-crs=GCJ02",
    "bbox=0,0,1e-300,1e-300&bbox-crs=EPSG:3857",
    "bbox=-20037508,-20037508,20037508,20037508&bbox-crs=EPSG:3857",
])
def test_extreme_boxes_on_the_api_are_answered_not_500(query):
    from rest_framework.test import APIClient

    from tests.users import auth_header, make_user
    client = APIClient()
    client.credentials(**auth_header(make_user("root", superuser=True)))
    response = client.get(f"/api/grids/?{query}")
    assert response.status_code in (200, 400), response.content[:300]
    assert response["Content-Type"].startswith("application/")
