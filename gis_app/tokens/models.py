"""A token's access: one row per token that is restricted; no row means full access, so the
tokens issued before the flag existed (and DRF's `drf_create_token`) keep what they had."""
from django.db import models


class TokenAccess(models.Model):
    """A read-only token may use safe methods only (GET, HEAD, OPTIONS), and POSTs that only
    read (views that say `post_reads_only`); every other request with it is a 403
    `read_only_token`. For dashboards, desktop GIS and scripts that must never change data."""

    token = models.OneToOneField("authtoken.Token", on_delete=models.CASCADE, primary_key=True,
                                 related_name="access", verbose_name="令牌 (token)")
    read_only = models.BooleanField("只读 (read-only)", default=False,
                                    help_text="只能读取 (GET/HEAD/OPTIONS)，不能提交或修改任何数据")

    class Meta:
        verbose_name = "令牌权限 (token access)"
        verbose_name_plural = "令牌权限 (token access)"

    def __str__(self):
        return f"{self.token_id[:6]}… {'read-only' if self.read_only else 'read-write'}"


def set_read_only(token, read_only: bool) -> None:
    """Record whether `token` is read-only (saving drops every worker's kept token rows:
    gis_app/web/auth.py)."""
    # token.key, not token.pk: DRF's admin proxy (TokenProxy) answers the user's id as its pk.
    TokenAccess.objects.update_or_create(token_id=token.key, defaults={"read_only": read_only})
