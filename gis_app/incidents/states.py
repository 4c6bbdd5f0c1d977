"""The states of a case and the two groups the rules use (open: still in the loop; done)."""
from django.db import models


class State(models.TextChoices):
    REPORTED = "reported", "已上报"
    ASSIGNED = "assigned", "已派遣"
    TRANSFERRED = "transferred", "已转办"
    RETURNED = "returned", "已退回"
    ACCEPTED = "accepted", "已受理"
    ON_SCENE = "on_scene", "已到场"
    HANDLED = "handled", "已处置"
    REVIEWED = "reviewed", "已复核"
    CLOSED = "closed", "已办结"
    ARCHIVED = "archived", "已归档"
    REJECTED = "rejected", "不予受理"


OPEN_STATES = (State.REPORTED, State.ASSIGNED, State.TRANSFERRED, State.RETURNED, State.ACCEPTED,
               State.ON_SCENE, State.HANDLED, State.REVIEWED)
DONE_STATES = (State.CLOSED, State.ARCHIVED)
