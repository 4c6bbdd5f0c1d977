"""The one rule for text that may reach the database, shared by the web kit's gate
(gis_app/web/guard.py) and the services' free-text fields: no NUL character (PostgreSQL text
cannot hold one) and no lone UTF-16 surrogate (not encodable as UTF-8)."""
from __future__ import annotations


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None."""
    if "\x00" in value:
        return "contains a NUL character (\\u0000), which cannot be stored"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone UTF-16 surrogate, which is not valid text"
    return None
