from rest_framework import serializers

from .models import User


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "email_verified", "is_staff"]
        read_only_fields = ["id", "username", "email_verified", "is_staff"]
