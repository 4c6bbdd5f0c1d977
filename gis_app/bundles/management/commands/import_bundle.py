from django.core.management.base import BaseCommand, CommandError

from gis_app.bundles.importer import import_bundle
from gis_app.bundles.problems import BundleRejected


class Command(BaseCommand):
    help = ("Load a territory bundle (folder or zip, DESIGN §5) in one transaction. A bundle with "
            "any problem is refused whole, with every problem listed.")

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--replace", action="store_true",
                            help="swap a county that is already loaded (atomically)")
        parser.add_argument("--reassign", action="store_true",
                            help="with --replace: re-route open cases whose territory or team the "
                                 "new bundle drops (each with an audit event) instead of refusing")
        parser.add_argument("--dry-run", action="store_true",
                            help="check everything and report counts, then roll back")
        parser.add_argument("--repair", action="store_true",
                            help="apply make_valid to invalid polygons and report what changed")
        parser.add_argument("--overlap-tolerance", type=float, default=1.0, metavar="PERCENT",
                            help="overlap allowed between units of one level, as a share of the "
                                 "smaller one's area (default 1)")

    def handle(self, *args, path, replace, reassign, dry_run, repair, overlap_tolerance, **opts):
        try:
            result = import_bundle(path, replace=replace, dry_run=dry_run, repair=repair,
                                   overlap_tolerance_pct=overlap_tolerance, reassign=reassign)
        except BundleRejected as exc:
            for warning in exc.report.warnings:
                self.stderr.write(f"warning: {warning}")
            raise CommandError(str(exc)) from exc
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        verb = "would import" if dry_run else ("replaced" if result.replaced else "imported")
        self.stdout.write(f"{verb} county {result.county_code} {result.county_name}"
                          + (" (dry run, nothing written)" if dry_run else ""))
        if result.rerouted:
            self.stdout.write(f"  re-routed {len(result.rerouted)} open case(s): "
                              + ", ".join(result.rerouted))
        if not dry_run:
            self.stdout.write(f"  territory generation {result.generation}, rule version {result.rule_version}")
        for name, count in result.counts.items():
            self.stdout.write(f"  {name:16} {count}")
