from django.core.management.base import BaseCommand
from django.utils import timezone

from gis_app.incidents.supervision import supervise


class Command(BaseCommand):
    help = ("督办: run the supervision ladder (settings.SUPERVISION_LADDER: 黄灯 warning, 红灯 overdue, "
            "county) over every open case; run from cron.")

    def handle(self, *args, **opts):
        escalated = 0
        for case, rungs in supervise():
            due = f"{timezone.localtime(case.deadline):%Y-%m-%d %H:%M}" if case.deadline else "stopped"
            for rung in rungs:
                verb = "escalated" if rung.escalates else "warned"
                self.stdout.write(f"{verb} {case.number}: {rung.label} ({rung.level}, deadline {due})")
            escalated += any(r.escalates for r in rungs)
        self.stdout.write(f"{escalated} case(s) escalated")
