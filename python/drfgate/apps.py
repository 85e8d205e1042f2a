from django.apps import AppConfig


class DrfGateConfig(AppConfig):
    name = "drfgate"
    verbose_name = "drf-gate"
