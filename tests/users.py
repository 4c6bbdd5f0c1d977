"""Users of each role for permission tests."""
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from gis_app.enforcement.models import Member


def make_user(username, role=None, county=None, *, team=None, department=None, grids=(),
              superuser=False):
    """A user with a Member row of `role` (None for a bare authenticated user)."""
    User = get_user_model()
    if superuser:
        user = User.objects.create_superuser(username, password="pw")
    else:
        user = User.objects.create_user(username, password="pw")
    if role:
        member = Member.objects.create(user=user, role=role, county=county, team=team,
                                       department=department)
        if grids:
            member.grids.set(grids)
    return user


def token_for(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


def auth_header(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {token_for(user)}"}
