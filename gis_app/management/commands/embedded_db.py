from django.core.management.base import BaseCommand, CommandError

from gis_app import embedded


class Command(BaseCommand):
    help = ("Run the project-local PostgreSQL + PostGIS cluster: start | stop | status | url | "
            "backup PATH | restore PATH (pg_dump custom format; restore replaces the database)")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["start", "stop", "status", "url", "backup", "restore"])
        parser.add_argument("path", nargs="?", help="the backup file (backup, restore)")

    def handle(self, *args, action, path=None, **opts):
        if action in ("backup", "restore") and not path:
            raise CommandError(f"{action} needs a PATH")
        try:
            if action == "backup":
                self.stdout.write(f"backed up to {embedded.backup(path)}")
                return
            if action == "restore":
                embedded.restore(path)
                self.stdout.write(f"restored from {path}")
                return
            if action == "start":
                self.stdout.write(embedded.start())
            elif action == "stop":
                embedded.stop()
                self.stdout.write("stopped")
            elif action == "status":
                self.stdout.write(embedded.status())
            else:
                self.stdout.write(embedded.url())
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
