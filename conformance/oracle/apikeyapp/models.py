"""A project's own API key model, as the package's docs show it (``BaseHasAPIKey`` with ``model``)."""
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager


class OrgAPIKey(AbstractAPIKey):
    class Meta(AbstractAPIKey.Meta):
        abstract = False


class LenientManager(BaseAPIKeyManager):
    """Custom code in the key check: the exporter must refuse classes on this model."""

    def get_usable_keys(self):
        return self.all()


class LenientAPIKey(AbstractAPIKey):
    objects = LenientManager()

    class Meta(AbstractAPIKey.Meta):
        abstract = False
