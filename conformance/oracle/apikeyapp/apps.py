from django.apps import AppConfig


class ApiKeyAppConfig(AppConfig):
    """The third-party oracle's own API key model (installed only by conformance/oracle/thirdparty.py,
    whose virtualenv has djangorestframework-api-key)."""

    name = "oracle.apikeyapp"
    label = "apikeyapp"
    default_auto_field = "django.db.models.AutoField"
