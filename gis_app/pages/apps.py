from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "gis_app.pages"
    label = "pages"
    verbose_name = "页面"
