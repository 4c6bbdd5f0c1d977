import os

import psycopg2
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gis_app import embedded
from gis_app.incidents.audit_owner import release_statements, secure_statements


class Command(BaseCommand):
    help = ("Hand the audit trail's table to a role nobody logs in as (the app keeps SELECT and "
            "INSERT). Connects as DATABASE_ADMIN_URL, or as the embedded cluster's superuser.")

    def add_arguments(self, parser):
        parser.add_argument("--release", action="store_true",
                            help="give the table back to the app role (before a migration that alters it)")

    def handle(self, *args, release=False, **opts):
        db = settings.DATABASES["default"]
        statements = release_statements(db["USER"]) if release else secure_statements(db["USER"])
        try:
            conn = psycopg2.connect(**_admin_params(db))
        except psycopg2.Error as exc:
            raise CommandError(f"cannot connect as the database admin: {exc}") from exc
        try:
            with conn, conn.cursor() as cur:
                for statement in statements:
                    cur.execute(statement)
        except psycopg2.Error as exc:
            raise CommandError(f"the database refused: {exc}") from exc
        finally:
            conn.close()
        self.stdout.write("audit table released to the app role" if release else
                          f"audit table owned by gis_audit; {db['USER']} may SELECT and INSERT")


def _admin_params(db: dict) -> dict:
    if os.environ.get("DATABASE_ADMIN_URL"):
        from gis_app.settings import database_from_url
        admin = database_from_url(os.environ["DATABASE_ADMIN_URL"])
    elif not os.environ.get("DATABASE_URL"):
        admin = {**db, "USER": embedded.admin_user()}
    else:
        raise CommandError("set DATABASE_ADMIN_URL (a superuser of the database server)")
    return {"dbname": db["NAME"], "user": admin["USER"], "password": admin.get("PASSWORD") or None,
            "host": admin["HOST"], "port": admin["PORT"] or None}
