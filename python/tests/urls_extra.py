"""A URLconf with the shapes blogsite does not use, for the exporter's tests."""
from django.contrib.auth import get_user_model
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path, re_path
from rest_framework import generics, permissions, serializers, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter, SimpleRouter

from blog.models import Comment, Post
from blog.permissions import IsOwner
from blog.serializers import CommentSerializer, PostSerializer


class ArchiveViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Post.objects.all()
    serializer_class = PostSerializer
    permission_classes = [permissions.AllowAny]

    @action(detail=False, permission_classes=[permissions.IsAdminUser])
    def stats(self, request):
        return Response({})

    @action(detail=True, methods=["get", "delete"], url_path="cover-image")
    def cover(self, request, pk=None):
        return Response({})

    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAdminUser])
    def pin(self, request, pk=None):
        post = self.get_object()
        return Response({"pinned": post.pk})

    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def feature(self, request, pk=None):
        """storefront-django's destroy: a test that may answer first, then the lookup (exported
        `getObject: false`; DRF's 404 for a missing pk is the origin's)."""
        if request.query_params.get("dry"):
            return Response(status=204)
        return Response({"featured": self.get_object().pk})

    @action(detail=True, methods=["post"], permission_classes=[IsOwner])
    def retitle(self, request, pk=None):
        """One call reads the body, then looks the post up: a malformed body's 400 comes before
        IsOwner's 403 (exported `getObject: false`)."""
        serializer = self.get_serializer(data=request.data, instance=self.get_object(), partial=True)
        return Response({"valid": serializer.is_valid()})

    @action(detail=True, methods=["post"], permission_classes=[IsOwner])
    def review(self, request, pk=None):
        """The body is validated first: DRF's 400 for anyone, before IsOwner's 403 (`getObject: false`)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response({"post": self.get_object().pk})

    @pin.mapping.delete
    def unpin(self, request, pk=None):
        return Response(status=204)

    @action(detail=False, permission_classes=[IsOwner])
    def latest(self, request):
        """get_object() on a list route: DRF asserts the lookup kwarg is in the URL (an
        AssertionError, DRF's 500) once the permissions passed; exported `getObject: false`."""
        return Response({"id": self.get_object().pk})


class PostDetail(generics.RetrieveUpdateAPIView):
    queryset = Post.objects.all()
    serializer_class = PostSerializer
    permission_classes = [permissions.IsAuthenticated & ~permissions.IsAdminUser]


class PostRename(generics.RetrieveUpdateAPIView):
    """perform_update() raising after DRF's get_object(): IsOwner's 403 is the edge's, the
    published post's 403 (a PATCH by its owner) the origin's."""

    queryset = Post.objects.all()
    serializer_class = PostSerializer
    permission_classes = [permissions.IsAuthenticated, IsOwner]

    def perform_update(self, serializer):
        if serializer.instance.published:
            raise PermissionDenied("Published posts are frozen.")
        serializer.save()


class PostFeed(generics.ListCreateAPIView):
    """Anyone reads, staff post: a plain view whose get_permissions() chooses by method."""

    queryset = Post.objects.all()
    serializer_class = PostSerializer
    permission_classes = [permissions.AllowAny]

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.IsAdminUser()]
        return super().get_permissions()


class ShoutingArchiveViewSet(ArchiveViewSet):
    # Django dispatches request.method.lower() only if it is listed: "GET" matches nothing.
    http_method_names = ["GET", "head", "options", "delete"]


@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def delete_account(request):
    """blog-stack-backend's shape: the handler deletes request.user (its pk becomes None)."""
    request.user.delete()
    return Response({"deleted": True})


class PostReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """storefront's shape: registered nested and at the top level too, where get_queryset() reads
    a URL kwarg only the nested route gives (DRF's 500, a KeyError, after the permissions)."""

    queryset = Post.objects.all()
    serializer_class = PostSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return Post.objects.filter(pk=self.kwargs["post_pk"])


class PostCommentViewSet(viewsets.ReadOnlyModelViewSet):
    """drf-nested-routers' shape (its NestedViewSetMixin's `parent_lookup_kwargs`): a post's
    comments, another post's comment not found. No `queryset` (storefront's nested reviews):
    the model is get_queryset()'s, which needs the URL kwarg."""

    serializer_class = CommentSerializer
    permission_classes = [permissions.IsAuthenticated]
    parent_lookup_kwargs = {"post_pk": "post__pk"}

    def get_queryset(self):
        return Comment.objects.filter(post=self.kwargs["post_pk"])


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username"]


class IsSelf(permissions.BasePermission):
    """airbnb_app_backend's shape: the object itself is the user (translated `obj == request.user`)."""

    def has_object_permission(self, request, view, user):
        return user == request.user


class PeopleViewSet(viewsets.ModelViewSet):
    """A view of the user model whose object permission compares the object itself."""

    queryset = get_user_model().objects.all()
    serializer_class = UserSerializer
    permission_classes = [IsSelf | permissions.IsAdminUser]


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """The "me" shape: get_object() is the requesting user, for /users/me/ and for any pk (DRF
    answers /users/999/ with the user's own data: no lookup, no object permission)."""

    queryset = get_user_model().objects.all()
    serializer_class = UserSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_object(self):
        return self.request.user

    @action(detail=False)
    def me(self, request):
        return Response(self.get_serializer(self.get_object()).data)


class Account(generics.RetrieveUpdateAPIView):
    """toptechschool's ProfileAPIView: a get_object() of its own that only looks up (here the
    user's row): DRF runs no object permission (IsOwner never runs on it); it was refused."""

    serializer_class = UserSerializer
    permission_classes = [permissions.IsAuthenticated, IsOwner]

    def get_object(self):
        return get_object_or_404(get_user_model(), pk=self.request.user.pk)


class Me(generics.RetrieveAPIView):
    serializer_class = UserSerializer
    permission_classes = [permissions.IsAuthenticated]
    get_object = lambda self: self.request.user  # noqa: E731 - the shape projects write


class MyPosts(generics.RetrieveDestroyAPIView):
    """nomad-back's shape: no `queryset`, a get_queryset() of the user's own rows (it raises for
    AnonymousUser, so the exporter found no model), a miss DRF's `No Post matches the given query.`"""

    serializer_class = PostSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return Post.objects.filter(owner=self.request.user)


def plain_status(request, **kwargs):
    """A plain Django view (no DRF): the origin's, whoever asks."""
    return JsonResponse({"plain": True})


@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def drf_status(request, **kwargs):
    """The DRF view listed after plain_status for the same URLs: Django never reaches it."""
    return Response({"plain": False})


@api_view(["GET", "POST"])
@permission_classes([permissions.IsAuthenticated])
def like_post(request, post_id):
    """toptechschool's shape: a function view with a URL kwarg no model gives (NOT COVERED)."""
    return Response({"liked": post_id})


router = SimpleRouter()
router.register("archive", ArchiveViewSet, basename="archive")
router.register("shouting", ShoutingArchiveViewSet, basename="shouting")
router.register("users", UserViewSet, basename="user")
router.register("people", PeopleViewSet, basename="person")

# `router.urls + nested.urls`: each DefaultRouter has an API root at `^$`; Django serves the first.
reviews, nested = DefaultRouter(), DefaultRouter()
reviews.register("reviews", PostReviewViewSet, basename="review")
nested.register(r"posts/(?P<post_pk>[0-9]+)/reviews", PostReviewViewSet, basename="post-review")
nested.register(r"posts/(?P<post_pk>[0-9]+)/comments", PostCommentViewSet, basename="post-comment")
# storefront's cart items: the parent kwarg routed with DRF's default `[^/.]+`, so get_queryset()'s
# filter raises on `/v3/posts/abc/replies/1/` (a ValueError outside get_object_or_404: DRF's 500).
nested.register(r"posts/(?P<post_pk>[^/.]+)/replies", PostCommentViewSet, basename="post-reply")

# phub-backend's shape: a viewset registered at `r""`, so its list route and the DefaultRouter's
# API root are both `^$` (Django serves the viewset's, the first).
shelf = DefaultRouter()
shelf.register(r"", PostReviewViewSet, basename="shelf")

urlpatterns = [
    path("v3/", include(reviews.urls + nested.urls)),
    path("v2/", include((router.urls, "v2"), namespace="v2")),
    path("shelf/<int:post_pk>/", include(shelf.urls)),
    path("posts/<int:pk>/", PostDetail.as_view(), name="post-detail"),
    path("posts/<int:pk>/rename/", PostRename.as_view(), name="post-rename"),
    path("feed/", PostFeed.as_view(), name="feed"),
    path("me/", Me.as_view(), name="me"),
    path("account/", Account.as_view(), name="account"),
    path("mine/<int:pk>/", MyPosts.as_view(), name="my-post"),
    path("likes/<int:post_id>/", like_post, name="like-post"),
    path("account/delete/", delete_account, name="delete-account"),
    re_path(r"^legacy/(?P<year>[0-9]{4})/$", PostDetail.as_view(), name="legacy"),
    # Plain Django views before DRF routes of the same URLs: the same path, and a catch-all regex.
    path("status/", plain_status),
    path("", include([path("status/", drf_status, name="status")])),  # another chain: both resolve
    re_path(r"^checks/", plain_status),
    path("checks/<int:pk>/", drf_status, name="check-detail"),
]
