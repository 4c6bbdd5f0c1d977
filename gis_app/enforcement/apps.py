from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "gis_app.enforcement"
    label = "enforcement"
