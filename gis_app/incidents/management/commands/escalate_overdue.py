from django.core.management.base import BaseCommand

from gis_app.incidents.services import escalate_overdue


class Command(BaseCommand):
    help = "督办: escalate every open case past its deadline to the command centre (run from cron)."

    def handle(self, *args, **opts):
        cases = escalate_overdue()
        for case in cases:
            self.stdout.write(f"escalated {case.number} (deadline {case.deadline:%Y-%m-%d %H:%M})")
        self.stdout.write(f"{len(cases)} case(s) escalated")
