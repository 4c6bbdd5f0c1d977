from django.core.management.base import BaseCommand, CommandError

from gis_app import embedded


class Command(BaseCommand):
    help = "Run the project-local PostgreSQL + PostGIS cluster: start | stop | status | url"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["start", "stop", "status", "url"])

    def handle(self, *args, action, **opts):
        try:
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
