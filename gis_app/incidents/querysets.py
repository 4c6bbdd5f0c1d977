"""Case rules that reads share, as QuerySet methods (one home each):

- `Case.objects.open()`: cases still in the loop (OPEN_STATES);
- `Case.objects.overdue(now)`: open and past their deadline (`overdue_q(now)` as a filter for
  aggregates, `with_overdue(now)` as an `overdue` boolean per row);
- `finished_on_time_q()`: finished within the time limit (`clock.on_time`, as a filter);
- `Case.objects.visible_to(user)`: the cases a user may see (gis_app/incidents/access.py);
- `Case.objects.counted_for(user)`: the cases a user's statistics count.
"""
from __future__ import annotations

from django.db import models
from django.db.models import ExpressionWrapper, F, Q
from django.db.models.fields import BooleanField

from gis_app.incidents import access
from gis_app.incidents.clock import ON_TIME_SLACK_S
from gis_app.incidents.states import DONE_STATES, OPEN_STATES


class StatementTime(models.Func):
    """The time the statement started, read by the database (statement_timestamp()): a
    compiled query that says "now" this way stays right when it is kept and run again later
    (vector tile statements are compiled once per user, layers/tile_sql.py)."""

    template = "statement_timestamp()"
    output_field = models.DateTimeField()


def overdue_q(now=None) -> Q:
    """Open and past the deadline at `now` (default: when the statement runs)."""
    return Q(state__in=OPEN_STATES, deadline__lt=now or StatementTime())


def finished_on_time_q() -> Q:
    """Finished (办结 or archived) within its time limit: `clock.on_time` as a filter. Why one
    home: the big screen's "本月按期办结" counter compared the close time with the deadline
    while its "按期办结率" charts compared the clock, and the two disagree for a case closed
    after its deadline outside working hours (its working clock had not run on)."""
    return Q(state__in=DONE_STATES, clock_used_s__lte=F("clock_budget_s") + ON_TIME_SLACK_S)


class CaseQuerySet(models.QuerySet):
    def open(self) -> CaseQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, now=None) -> CaseQuerySet:
        return self.filter(overdue_q(now))

    def with_overdue(self, now=None) -> CaseQuerySet:
        return self.annotate(overdue=ExpressionWrapper(overdue_q(now), output_field=BooleanField()))

    def visible_to(self, user) -> CaseQuerySet:
        reach = access.case_filter(user, supports=self.model.supports.rel.related_model)
        return self if reach is None else self.filter(reach)

    def counted_for(self, user) -> CaseQuerySet:
        """Statistics count records nobody reads one by one: planners and command centres
        count their whole county, everyone else what they may see."""
        if access.counts_whole_county(user):
            return self.filter(access.in_counties([user.member.county_id]))
        return self.visible_to(user)
