from django.apps import AppConfig


class LayersConfig(AppConfig):
    name = "layers"

    def ready(self):
        from layers import catalogue  # noqa: F401  (registers the layers; the registry imports nothing back)
