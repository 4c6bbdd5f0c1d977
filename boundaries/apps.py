from django.apps import AppConfig


class BoundariesConfig(AppConfig):
    name = "boundaries"
    verbose_name = "Territory (county > township > village > grid, protected areas, 1+X hubs)"
