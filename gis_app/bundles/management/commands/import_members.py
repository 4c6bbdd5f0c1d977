from django.core.management.base import BaseCommand, CommandError

from gis_app.bundles.members import import_members
from gis_app.bundles.problems import BundleRejected


class Command(BaseCommand):
    help = ("Load a county's staff from a CSV/XLSX file (username, name, phone, role, team, "
            "department, grids): all or nothing; new accounts get a one-time first-login link; "
            "members left out are deactivated, never deleted.")

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--county", required=True, help="the county's 6-digit code")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000",
                            help="the server's address, to print the first-login links with")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, path, county, base_url, dry_run, **opts):
        try:
            result = import_members(path, county_code=county, dry_run=dry_run)
        except BundleRejected as exc:
            raise CommandError(str(exc).replace("bundle refused", "members file refused")) from exc
        verb = "would load" if dry_run else "loaded"
        self.stdout.write(f"{verb} members of county {result.county_code}: {len(result.created)} created, "
                          f"{len(result.updated)} updated, {len(result.deactivated)} deactivated"
                          + (" (dry run, nothing written)" if dry_run else ""))
        for username in result.deactivated:
            self.stdout.write(f"  deactivated {username}")
        if result.links:
            self.stdout.write("first-login links (one use each; hand each to its owner only):")
        for username, link in sorted(result.links.items()):
            self.stdout.write(f"  {username}  {base_url.rstrip('/')}{link}")
