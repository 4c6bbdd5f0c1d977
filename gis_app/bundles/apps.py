from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "gis_app.bundles"
    label = "bundles"
