from django.core.management.base import BaseCommand, CommandError

from gis_app.incidents.audit import verify_all
from gis_app.incidents.models import Case


class Command(BaseCommand):
    help = "Verify every case's audit chain (or one case's); exits non-zero naming each break."

    def add_arguments(self, parser):
        parser.add_argument("--case", help="a case number; default: every case")

    def handle(self, *args, case=None, **opts):
        cases = Case.objects.filter(number=case) if case else Case.objects.all()
        if case and not cases.exists():
            raise CommandError(f"no case {case}")
        n, breaks = verify_all(cases)
        for b in breaks:
            self.stderr.write(str(b))
        if breaks:
            raise CommandError(f"{len(breaks)} break(s) in the audit trail of {n} case(s)")
        self.stdout.write(f"{n} case(s), all chains intact")
