from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "gis_app.incidents"
    label = "incidents"
