from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "gis_app.tokens"
    label = "tokens"
    verbose_name = "API 令牌 (API tokens)"
