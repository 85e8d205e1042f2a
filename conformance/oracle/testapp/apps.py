from django.apps import AppConfig


class TestAppConfig(AppConfig):
    name = "oracle.testapp"
    label = "testapp"
    default_auto_field = "django.db.models.AutoField"
