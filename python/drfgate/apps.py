from django.apps import AppConfig


class DrfGateConfig(AppConfig):
    name = "drfgate"
    verbose_name = "drf-gate"

    def ready(self):
        # DRFGATE_SYNC set: keep the edge's identity data in step (drfgate/sync.py).
        from . import sync

        sync.connect()
