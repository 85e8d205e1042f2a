"""Create the demo users, posts and comments, and print each user's credentials.

Idempotent: running it again resets the demo rows and keeps the tokens stable.
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from rest_framework.authtoken.models import Token
from rest_framework_simplejwt.tokens import AccessToken

from blog.models import Comment, Post, Tag

PASSWORD = "password"

# username: (is_staff, is_superuser, is_active, email_verified, groups, what the user shows)
USERS = {
    "admin": (True, True, True, True, [], "staff superuser"),
    "alice": (False, False, True, True, [], "author of posts 1-2, verified"),
    "bob": (False, False, True, True, [], "another author, verified"),
    "carol": (False, False, True, True, ["moderators"], "moderator: model perms via a group"),
    "dave": (False, False, True, False, [], "unverified e-mail"),
    "ghost": (True, True, False, True, [], "inactive superuser"),
}
MODERATOR_PERMS = ["add_comment", "change_comment", "delete_comment", "view_post"]


class Command(BaseCommand):
    help = "Seed the blog with demo users (password 'password'), tokens, posts and comments."

    def handle(self, *args, **options):
        User = get_user_model()
        moderators, _ = Group.objects.get_or_create(name="moderators")
        moderators.permissions.set(Permission.objects.filter(codename__in=MODERATOR_PERMS))

        users = {}
        for username, (staff, superuser, active, verified, groups, _) in USERS.items():
            user, _ = User.objects.get_or_create(username=username)
            user.email = f"{username}@blog.example.com"
            user.is_staff, user.is_superuser, user.is_active = staff, superuser, active
            user.email_verified = verified
            user.set_password(PASSWORD)
            user.save()
            user.groups.set(Group.objects.filter(name__in=groups))
            # A stable key per user, so docs and scripts can rely on it.
            Token.objects.filter(user=user).delete()
            Token.objects.create(user=user, key=f"{username}-token".ljust(40, "0")[:40])
            users[username] = user

        Comment.objects.all().delete()
        Post.objects.all().delete()
        Tag.objects.all().delete()
        news, _ = Tag.objects.get_or_create(name="news")
        Tag.objects.get_or_create(name="rust")
        posts = [
            Post.objects.create(pk=1, owner=users["alice"], title="Hello, edge", body="Published.", published=True),
            Post.objects.create(pk=2, owner=users["alice"], title="Draft", body="Only alice sees this."),
            Post.objects.create(pk=3, owner=users["bob"], title="Bob's post", body="Published.", published=True),
        ]
        posts[0].tags.add(news)
        Comment.objects.create(pk=1, post=posts[0], author=users["bob"], body="Nice post!")
        Comment.objects.create(pk=2, post=posts[2], author=users["alice"], body="Thanks, Bob.")

        self.stdout.write(f"Seeded {len(users)} users (password '{PASSWORD}'), {len(posts)} posts, 2 comments.\n")
        self.stdout.write(f"{'user':8} {'Token (Authorization: Token <key>)':42} notes\n")
        for username, user in users.items():
            self.stdout.write(f"{username:8} {user.auth_token.key:42} {USERS[username][5]}\n")
        self.stdout.write("\nJWT access tokens (Authorization: Bearer <token>, valid 15 minutes):\n")
        for username, user in users.items():
            self.stdout.write(f"{username:8} {AccessToken.for_user(user)}\n")
