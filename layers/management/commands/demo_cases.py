"""Report a few demo cases so the map pages show live cases: `manage.py demo_cases`.

Each case goes through the real intake (routing, deadline, audit trail) as the county's
command-centre user, at a point on a random grid's land; a third are dated back past their
deadline (overdue) and some of those escalated. Needs `load_demo` first.
"""
import random
from datetime import timedelta

from django.contrib.gis.db.models.functions import PointOnSurface
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from boundaries.models import Grid
from gis_app.enforcement.models import CatalogItem, Member
from gis_app.enforcement.routing import PointQuery, Refused
from gis_app.incidents import services


class Command(BaseCommand):
    help = "Report demo cases at random grids of each demo county (for the map pages)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=30, help="cases per county (default 30)")
        parser.add_argument("--seed", type=int, default=6)

    def handle(self, *args, count, seed, **options):
        rng = random.Random(seed)
        centres = Member.objects.filter(role="command_centre").select_related("user", "county")
        if not centres:
            raise CommandError("no command-centre user: run `manage.py load_demo` first")
        now = timezone.now()
        for member in centres:
            county = member.county
            items = list(CatalogItem.objects.filter(county=county).values_list("code", flat=True))
            grids = list(Grid.objects.filter(county=county).annotate(p=PointOnSurface("geom"))
                         .values_list("p", flat=True))
            made = 0
            for i in range(count):
                point = rng.choice(grids)
                overdue = i % 3 == 0
                when = now - (timedelta(days=rng.randint(3, 10)) if overdue else timedelta(hours=rng.randint(0, 20)))
                try:
                    case = services.case_report(user=member.user, query=PointQuery(lon=point.x, lat=point.y),
                                                item_code=rng.choice(items), description="演示案件（demo_cases）",
                                                source="hotline", now=when)
                except Refused:
                    continue
                if overdue and i % 2 == 0:
                    services.case_escalate(case=case, user=member.user, version=case.version)
                made += 1
            self.stdout.write(f"{county.code} {county.name}: {made} cases reported")
