from django.core.management.base import BaseCommand, CommandError

from gis_app.bundles import demo, demo_history
from gis_app.bundles.problems import BundleRejected


class Command(BaseCommand):
    help = ("Load the demo counties shipped in boundaries/demo (idempotent), a user per role, and "
            "demo cases in counties that have none, and closed ones in those that have no closed case.")

    def handle(self, *args, **opts):
        try:
            results = demo.load_bundles()
        except BundleRejected as exc:
            raise CommandError(str(exc)) from exc
        if not results:
            raise CommandError(f"no demo bundles found in {demo.DEMO_DIR}")
        for folder, result in results:
            if result is None:
                self.stdout.write(f"{folder.name}: already loaded")
            else:
                counts = ", ".join(f"{k} {v}" for k, v in result.counts.items())
                self.stdout.write(f"{folder.name}: county {result.county_code} {result.county_name}: {counts}")
        users = demo.ensure_demo_users()
        self.stdout.write(f"demo users (password {demo.DEMO_PASSWORD}): {', '.join(users)}")
        for county, made in demo.report_demo_cases().items():
            self.stdout.write(f"county {county}: {made} demo cases reported")
        for county, made in demo_history.close_demo_history().items():
            self.stdout.write(f"county {county}: {made} demo cases closed (some after their deadline)")
