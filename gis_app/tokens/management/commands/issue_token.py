"""`manage.py issue_token USER [--read-only] [--reissue]`: print USER's API token.

DRF's `drf_create_token` issues full tokens only; this one also issues read-only ones (for
dashboards, desktop GIS and scripts that must never change data). `--reissue` revokes the old
token (deleted, so it stops working at once, in every worker: gis_app/web/auth.py) and
issues a new one; without it an existing token is printed and its read-only
flag set as asked.
"""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from gis_app.tokens.models import set_read_only


class Command(BaseCommand):
    help = "Print a user's API token (made if missing); --read-only: it may only read."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--read-only", action="store_true",
                            help="the token may only read (GET/HEAD/OPTIONS); writes answer 403")
        parser.add_argument("--reissue", action="store_true",
                            help="revoke the user's token and issue a new one")

    def handle(self, username, read_only, reissue, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        with transaction.atomic():
            if reissue:
                Token.objects.filter(user=user).delete()
            token, _ = Token.objects.get_or_create(user=user)
            set_read_only(token, read_only)
        kind = "read-only" if read_only else "read-write"
        self.stdout.write(f"{token.key}  ({kind} token of {username})")
