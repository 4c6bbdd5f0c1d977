from django.apps import AppConfig


class PatrolsConfig(AppConfig):
    name = "gis_app.patrols"
    label = "patrols"
