"""A project's own API key model, as the package's docs show it (``BaseHasAPIKey`` with ``model``)."""
from rest_framework_api_key.models import AbstractAPIKey


class OrgAPIKey(AbstractAPIKey):
    class Meta(AbstractAPIKey.Meta):
        abstract = False
