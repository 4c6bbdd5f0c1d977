"""The OpenAPI schema documents the read API and builds without warnings from it."""
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

PATHS = ["/api/counties/", "/api/counties/{code}/", "/api/townships/", "/api/townships/{code}/",
         "/api/villages/", "/api/villages/{code}/", "/api/grids/", "/api/grids/{code}/",
         "/api/protected-areas/", "/api/protected-areas/{code}/", "/api/hubs/", "/api/hubs/{code}/",
         "/api/teams/", "/api/teams/{code}/", "/api/departments/", "/api/departments/{code}/",
         "/api/catalogue/", "/api/catalogue/{code}/", "/api/catalogue/{code}/authority/"]


def test_schema_endpoint_lists_the_read_api(client, db):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(PATHS) <= set(paths)
    assert set(paths["/api/townships/"]) == {"get"}


def test_schema_documents_filters_and_output_crs(client, db):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    names = {p["name"] for p in paths["/api/grids/"]["get"]["parameters"]}
    assert {"county", "township", "village", "bbox", "bbox-crs", "crs", "geometry", "simplify",
            "q", "limit", "offset"} <= names


def test_schema_generation_warns_about_nothing_in_the_read_api(db):
    GENERATOR_STATS.reset()
    GENERATOR_STATS.silence()
    try:
        SchemaGenerator().get_schema(request=None, public=True)
        messages = list(GENERATOR_STATS._warn_cache) + list(GENERATOR_STATS._error_cache)
    finally:
        GENERATOR_STATS.reset()
    assert [m for m in messages if "gis_app/api/" in m] == []
