from datetime import date

from django.core.management.base import BaseCommand, CommandError

from boundaries.models import County
from gis_app.bundles.pruning import plan_pruning, prune


class Command(BaseCommand):
    help = ("Remove old territory generations (and rule tables no kept generation used) from the "
            "archive of one county. Never the current one; never one a case records unless "
            "--include-referenced. Prints what it removes; --dry-run removes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="the county's 6-digit code")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--before", type=date.fromisoformat, metavar="YYYY-MM-DD",
                           help="generations no longer in force when that day began")
        which.add_argument("--keep", type=int, metavar="N", help="all but the newest N generations")
        parser.add_argument("--include-referenced", action="store_true",
                            help="prune generations and rule versions that cases record too (their "
                                 "replay then compares with the answer recorded on the case)")
        parser.add_argument("--dry-run", action="store_true", help="print what would go, remove nothing")

    def handle(self, *args, county, before, keep, include_referenced, dry_run, **opts):
        found = County.objects.filter(code=county).first()
        if found is None:
            raise CommandError(f"--county: no county {county!r} is loaded")
        if keep is not None and keep < 1:
            raise CommandError("--keep: at least 1 (the current generation always stays)")
        plan = plan_pruning(found, before=before, keep=keep, include_referenced=include_referenced)
        verb = "would prune" if dry_run else "pruned"
        self.stdout.write(f"county {found.code} {found.name}: {verb} generations "
                          f"{_numbers(plan.generations)}: {len(plan.unit_ids)} archived units, "
                          f"{len(plan.zone_ids)} archived zones; rule versions "
                          f"{_numbers(plan.rule_versions)}: their tables")
        if plan.referenced:
            self.stdout.write(f"  kept generations {_numbers(plan.referenced)}: cases record them "
                              "(--include-referenced prunes them too)")
        if not dry_run:
            prune(plan)


def _numbers(numbers) -> str:
    return ", ".join(map(str, numbers)) or "none"
