"""Keeps the edge's identity data in step with the database: write-through to the Worker.

Every change to what the edge reads (users and the fields permissions read, group and model
permissions, tokens, sessions, the objects ``loadObject`` reads) is pushed to the Worker's sync
endpoint (``POST <URL>`` with ``Authorization: Bearer <SECRET>``), which writes Workers KV:

1. **before the change commits** (``pre_save``, ``pre_delete``, ``m2m_changed`` ``pre_*``) the
   affected records are marked *pending*: the edge treats a pending record as "not known here"
   and forwards the request to the origin. If this push fails, the change fails (``STRICT``,
   the default): the database never moves ahead of an edge that still has the old record;
2. **after it commits** (``transaction.on_commit``) the records are read back from the database
   and pushed with a version (microseconds): the Worker keeps a record only if its version is
   newer than what it holds, so a slow, older push never overwrites a newer one. If this push
   fails, the record stays pending: forwarded, never decided on stale data.

A record the edge never received is a miss, and a miss is "not known here" too. Deleted users,
tokens and objects become *tombstones* (an authoritative "no such row": the edge answers
``Invalid token.`` or 404 as DRF does). Sessions are either valid (user id, session hash,
expiry) or absent.

Settings::

    DRFGATE_SYNC = {
        "URL": "https://api.example.com/__drfgate/sync",  # the Worker's sync endpoint
        "SECRET": os.environ["DRFGATE_SYNC_SECRET"],     # the Worker's secret DRFGATE_SYNC_SECRET
        "USER_ATTRIBUTES": ["email_verified"],           # user fields custom permissions read
        "OBJECTS": {"blog.Post": {"prefix": "posts", "fields": {"id": "pk", "owner": "owner_id"}}},
        "TIMEOUT": 5,                                    # seconds per push
        "STRICT": True,                                  # a failed "pending" push fails the change
    }

``manage.py drfgate_sync`` pushes everything (a full re-sync, after bulk changes that bypass
signals: ``QuerySet.update``, ``bulk_create``, raw SQL) or dumps it (``--dump FILE``).
"""
import hashlib
import json
import logging
import time
import urllib.error
import urllib.request

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

logger = logging.getLogger("drfgate.sync")

USERS, TOKENS, SESSIONS, OBJECTS = "USERS", "TOKENS", "SESSIONS", "OBJECTS"


class SyncError(Exception):
    """The Worker's sync endpoint did not take a push."""


def config():
    """``DRFGATE_SYNC`` with defaults (``URL`` ``None``: nothing is pushed)."""
    conf = getattr(settings, "DRFGATE_SYNC", None) or {}
    return {"URL": None, "SECRET": "", "TIMEOUT": 5, "STRICT": True, "USER_ATTRIBUTES": [], "OBJECTS": {}, **conf}


def version():
    """Microseconds since the epoch (exact as a JSON number in JavaScript)."""
    return time.time_ns() // 1000


def _hash(value):
    # The edge compares session hashes; it never holds one Django would accept.
    return hashlib.sha256(value.encode()).hexdigest()


# ---- records ----------------------------------------------------------------------------------


def user_record(user, conf=None):
    """The user as drf-gate reads it (docs/policy.md §2), plus the session hash to check."""
    conf = conf or config()
    record = {
        "id": user.pk,
        "username": user.get_username(),
        "isActive": user.is_active,
        "isStaff": getattr(user, "is_staff", False),
        "isSuperuser": getattr(user, "is_superuser", False),
        # ModelBackend: user and group permissions, none for an inactive user.
        "permissions": sorted(user.get_all_permissions()),
        "sessionHash": _hash(user.get_session_auth_hash()),
    }
    attributes = {name: getattr(user, name) for name in conf.get("USER_ATTRIBUTES", [])}
    if attributes:
        record["attributes"] = attributes
    return record


def session_record(session):
    """A session row as the edge reads it, or ``None`` when it authenticates nobody."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    if session.expire_date <= timezone.now():
        return None
    data = session.get_decoded()
    if SESSION_KEY not in data or data.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
        return None
    return {
        "user": str(data[SESSION_KEY]),
        "sessionHash": _hash(data.get(HASH_SESSION_KEY) or ""),
        "expires": session.expire_date.timestamp(),
    }


def object_record(instance, spec):
    record = {}
    for name, attribute in spec.get("fields", {"id": "pk"}).items():
        value = getattr(instance, attribute)
        record[name] = value if isinstance(value, (bool, int, float, str, type(None))) else str(value)
    return record


def _token_model():
    try:
        return apps.get_model("authtoken", "Token")
    except LookupError:
        return None


def _session_model():
    try:
        return apps.get_model("sessions", "Session")
    except LookupError:
        return None


# ---- transport --------------------------------------------------------------------------------


def push(writes, conf=None):
    """POSTs ``writes`` (``[{ns, key, version, value|pending|deleted|remove}]``) to the Worker."""
    conf = conf or config()
    if not conf["URL"] or not writes:
        return
    body = json.dumps({"writes": writes}).encode()
    request = urllib.request.Request(
        conf["URL"],
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {conf['SECRET']}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=conf["TIMEOUT"]) as response:
            if response.status != 200:
                raise SyncError(f"sync endpoint answered {response.status}")
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise SyncError(f"sync endpoint {conf['URL']}: {error}") from error


def _pending(keys):
    """Marks records pending before a change commits (fails the change when STRICT)."""
    conf = config()
    if not conf["URL"] or not keys:
        return
    v = version()
    try:
        push([{"ns": ns, "key": str(key), "version": v, "pending": True} for ns, key in keys], conf)
    except SyncError:
        if conf["STRICT"]:
            raise
        logger.warning("drfgate sync: could not mark %s pending", keys, exc_info=True)


def _after_commit(keys):
    """Pushes the records' committed state once the transaction commits."""
    conf = config()
    if not conf["URL"] or not keys:
        return
    keys = list(dict.fromkeys((ns, str(key)) for ns, key in keys))

    def fill():
        try:
            push(current_writes(keys, conf), conf)
        except SyncError:
            # The records stay pending: the edge forwards what it cannot be sure of.
            logger.warning("drfgate sync: could not push %s (they stay pending)", keys, exc_info=True)

    transaction.on_commit(fill)


def current_writes(keys, conf=None):
    """The committed state of each ``(namespace, key)``, as writes."""
    conf = conf or config()
    User = apps.get_model(settings.AUTH_USER_MODEL)
    writes = []
    for ns, key in keys:
        v = version()
        value = None
        if ns == USERS:
            user = User._default_manager.filter(pk=key).first()
            value = user_record(user, conf) if user is not None else None
        elif ns == TOKENS:
            Token = _token_model()
            token = Token.objects.filter(key=key).first() if Token else None
            value = {"user": str(token.user_id)} if token is not None else None
        elif ns == SESSIONS:
            Session = _session_model()
            session = Session.objects.filter(session_key=key).first() if Session else None
            record = session_record(session) if session is not None else None
            writes.append({"ns": ns, "key": key, "version": v, **({"value": record} if record else {"remove": True})})
            continue
        elif ns == OBJECTS:
            prefix, _, pk = key.partition(":")
            label, spec = next(((l, s) for l, s in conf.get("OBJECTS", {}).items() if s["prefix"] == prefix), (None, None))
            if label is not None:
                instance = apps.get_model(label)._default_manager.filter(pk=pk).first()
                value = object_record(instance, spec) if instance is not None else None
        writes.append({"ns": ns, "key": key, "version": v, **({"value": value} if value is not None else {"deleted": True})})
    return writes


# ---- what a change touches ------------------------------------------------------------------------


def _user_keys(pks):
    return [(USERS, pk) for pk in pks if pk is not None]


def _users_of_groups(group_pks):
    User = apps.get_model(settings.AUTH_USER_MODEL)
    return list(User._default_manager.filter(groups__pk__in=list(group_pks)).values_list("pk", flat=True))


def _users_of_permissions(permission_pks):
    User = apps.get_model(settings.AUTH_USER_MODEL)
    direct = User._default_manager.filter(user_permissions__pk__in=list(permission_pks))
    via_groups = User._default_manager.filter(groups__permissions__pk__in=list(permission_pks))
    return list(set(direct.values_list("pk", flat=True)) | set(via_groups.values_list("pk", flat=True)))


def _keys_for(sender, instance):
    """The edge records a saved or deleted instance touches."""
    conf = config()
    User = apps.get_model(settings.AUTH_USER_MODEL)
    Token, Session = _token_model(), _session_model()
    if sender is User or isinstance(instance, User):
        return _user_keys([instance.pk])
    if Token is not None and isinstance(instance, Token):
        return [(TOKENS, instance.key)]
    if Session is not None and isinstance(instance, Session):
        return [(SESSIONS, instance.session_key)]
    if instance._meta.label == "auth.Group" and instance.pk is not None:
        return _user_keys(_users_of_groups([instance.pk]))
    spec = conf.get("OBJECTS", {}).get(instance._meta.label)
    if spec is not None and instance.pk is not None:
        return [(OBJECTS, f"{spec['prefix']}:{instance.pk}")]
    return []


def _on_pre_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    keys = _keys_for(sender, instance)
    instance._drfgate_keys = keys
    _pending(keys)


def _on_post_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    keys = getattr(instance, "_drfgate_keys", []) + _keys_for(sender, instance)
    _after_commit(keys)


def _on_pre_delete(sender, instance, **kwargs):
    keys = _keys_for(sender, instance)
    instance._drfgate_keys = keys
    _pending(keys)


def _on_post_delete(sender, instance, **kwargs):
    _after_commit(getattr(instance, "_drfgate_keys", []))


def _on_m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Group membership and permission grants: every user whose permissions change."""
    User = apps.get_model(settings.AUTH_USER_MODEL)
    Group = apps.get_model("auth", "Group")
    if not action.startswith(("pre_", "post_")):
        return
    if sender in (User.groups.through, User.user_permissions.through):
        if not reverse:
            users = [instance.pk]
        elif pk_set is not None:
            users = list(pk_set)
        else:  # clear() from the group's or permission's side
            users = getattr(instance, "_drfgate_m2m_users", None) or (
                _users_of_groups([instance.pk]) if isinstance(instance, Group) else _users_of_permissions([instance.pk])
            )
    elif sender is Group.permissions.through:
        groups = [instance.pk] if not reverse else list(pk_set or [])
        users = _users_of_groups(groups) if groups else getattr(instance, "_drfgate_m2m_users", None) or _users_of_permissions([instance.pk])
    else:
        return
    if action.startswith("pre_"):
        instance._drfgate_m2m_users = users
        _pending(_user_keys(users))
    else:
        _after_commit(_user_keys(set(users) | set(getattr(instance, "_drfgate_m2m_users", []))))


def _on_group_pre_delete(sender, instance, **kwargs):
    users = _users_of_groups([instance.pk])
    instance._drfgate_keys = _user_keys(users)
    _pending(instance._drfgate_keys)


_CONNECTED = []


def connect():
    """Connects the receivers (``DrfGateConfig.ready`` calls it when ``DRFGATE_SYNC`` is set)."""
    if _CONNECTED:
        return
    conf = config()
    if not conf["URL"]:
        return
    User = apps.get_model(settings.AUTH_USER_MODEL)
    Group = apps.get_model("auth", "Group")
    senders = [User, _token_model(), _session_model()]
    senders += [apps.get_model(label) for label in conf["OBJECTS"]]
    for sender in filter(None, senders):
        pre_save.connect(_on_pre_save, sender=sender, dispatch_uid=f"drfgate-pre-save-{sender._meta.label}")
        post_save.connect(_on_post_save, sender=sender, dispatch_uid=f"drfgate-post-save-{sender._meta.label}")
        pre_delete.connect(_on_pre_delete, sender=sender, dispatch_uid=f"drfgate-pre-delete-{sender._meta.label}")
        post_delete.connect(_on_post_delete, sender=sender, dispatch_uid=f"drfgate-post-delete-{sender._meta.label}")
    pre_delete.connect(_on_group_pre_delete, sender=Group, dispatch_uid="drfgate-group-pre-delete")
    post_delete.connect(_on_post_delete, sender=Group, dispatch_uid="drfgate-group-post-delete")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_on_m2m_changed, sender=through, dispatch_uid=f"drfgate-m2m-{through._meta.label}")
    _CONNECTED.append(True)


# ---- full re-sync ---------------------------------------------------------------------------------


def full_writes(conf=None):
    """Every record the edge reads, as writes (users, tokens, valid sessions, objects)."""
    conf = conf or config()
    User = apps.get_model(settings.AUTH_USER_MODEL)
    v = version()
    writes = []
    for user in User._default_manager.order_by("pk").prefetch_related("groups__permissions", "user_permissions"):
        writes.append({"ns": USERS, "key": str(user.pk), "version": v, "value": user_record(user, conf)})
    Token = _token_model()
    if Token is not None:
        for token in Token.objects.all():
            writes.append({"ns": TOKENS, "key": token.key, "version": v, "value": {"user": str(token.user_id)}})
    Session = _session_model()
    if Session is not None:
        for session in Session.objects.filter(expire_date__gt=timezone.now()):
            record = session_record(session)
            if record is not None:
                writes.append({"ns": SESSIONS, "key": session.session_key, "version": v, "value": record})
    for label, spec in conf.get("OBJECTS", {}).items():
        for instance in apps.get_model(label)._default_manager.all():
            key = f"{spec['prefix']}:{instance.pk}"
            writes.append({"ns": OBJECTS, "key": key, "version": v, "value": object_record(instance, spec)})
    return writes


def as_kv(writes):
    """Writes as KV namespaces -> key -> stored JSON text (what the Worker's endpoint stores)."""
    kv = {}
    for write in writes:
        stored = stored_value(write)
        if stored is not None:
            kv.setdefault(write["ns"], {})[write["key"]] = json.dumps(stored)
    return kv


def stored_value(write):
    """What the Worker stores for a write (``None``: the key is removed)."""
    if write.get("remove"):
        return None
    if write.get("pending"):
        return {"v": write["version"], "pending": True}
    if write.get("deleted"):
        return {"v": write["version"], "deleted": True}
    return {"v": write["version"], "value": write["value"]}
