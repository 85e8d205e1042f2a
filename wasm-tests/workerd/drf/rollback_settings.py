"""The sample blog's settings, plus one outermost middleware that rolls every request back.

The Workers test sends each request twice (straight to DRF, then through the Worker, which may
forward it): both must meet the same database, so no request may change it. Everything inside
(authentication, permissions, handlers, rendering) is the unchanged sample project.
"""
from blogsite.settings import *  # noqa: F401,F403
from blogsite.settings import MIDDLEWARE

MIDDLEWARE = ["rollback.RollbackMiddleware", *MIDDLEWARE]
