from django.contrib import admin

from .models import Comment, Post, Tag

admin.site.register([Post, Comment, Tag])
