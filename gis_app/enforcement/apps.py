from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "gis_app.enforcement"
    label = "enforcement"
    verbose_name = "执法组织与事项"   # the admin's heading (staff read Chinese)
