"""Who owns the audit trail's table: a role nobody logs in as.

The append-only trigger stops the application from changing events, but the owner of a
table may switch its triggers off. So the events table, its sequence and the trigger
function belong to `gis_audit` (NOLOGIN), and the application's role keeps only SELECT
and INSERT. This needs a database superuser (or the table owner's admin), so it is run by
the operator after `migrate` (`manage.py secure_audit`; `make migrate` does it for the
embedded cluster) and undone for a migration that alters the table (`--release`).
"""
from __future__ import annotations

from psycopg2 import sql

TABLE = "incidents_caseevent"
FUNCTION = "incidents_caseevent_append_only()"


def secure_statements(app_role: str, owner: str = "gis_audit") -> list:
    """SQL (psycopg2 `sql` objects) handing the audit table to `owner`, SELECT/INSERT to the app."""
    app, own = sql.Identifier(app_role), sql.Identifier(owner)
    return [
        sql.SQL("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {}) THEN "
                "CREATE ROLE {} NOLOGIN; END IF; END $$").format(sql.Literal(owner), own),
        sql.SQL("ALTER TABLE {} OWNER TO {}").format(sql.Identifier(TABLE), own),
        sql.SQL("ALTER FUNCTION " + FUNCTION + " OWNER TO {}").format(own),
        sql.SQL("REVOKE ALL ON {} FROM PUBLIC, {}").format(sql.Identifier(TABLE), app),
        sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(sql.Identifier(TABLE), app),
        sql.SQL("GRANT USAGE, SELECT ON SEQUENCE {} TO {}").format(
            sql.Identifier(f"{TABLE}_id_seq"), app),
    ]


def release_statements(app_role: str) -> list:
    """Give the table back to the app role (to run a migration that alters it)."""
    app = sql.Identifier(app_role)
    return [sql.SQL("ALTER TABLE {} OWNER TO {}").format(sql.Identifier(TABLE), app),
            sql.SQL("ALTER FUNCTION " + FUNCTION + " OWNER TO {}").format(app)]
