"""The web kit: what every HTTP endpoint uses the same way (see docs/architecture.md).

- `errors`: one error base (`ApiError`) and one DRF exception handler rendering every refusal
  of the domain as `{"error", "detail", "parameter"?}`;
- `params`: one parameter parser driven by `Param` declarations (which also feed OpenAPI);
- `auth`: one token authentication (`Authorization: Token KEY`), user and Member in one query;
- `renderers`: orjson JSON, GeoJSON, CSV (BOM, formula cells escaped), XLSX.
Nothing here decides anything about the domain: it only translates HTTP to Python and back.
"""
