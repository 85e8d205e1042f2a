from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """The project's user: Django's user plus the e-mail verification flag."""

    email_verified = models.BooleanField(default=False)
