"""The oracle's models: a custom user with extra fields conditions read, and two owned models."""
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    email_verified = models.BooleanField(default=False)
    level = models.IntegerField(default=0)
    department = models.CharField(max_length=50, blank=True, default="")
    # A UUIDField simplejwt's USER_ID_FIELD can name (the edge:jwt-user-id-kind family).
    uuid = models.UUIDField(null=True, unique=True)


class Widget(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    published = models.BooleanField(default=False)
    title = models.CharField(max_length=100, default="")


class Gadget(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    published = models.BooleanField(default=False)
    title = models.CharField(max_length=100, default="")
