"""The field scenario's server: the sample project, every request rolled back (so the direct
request and the one the Worker forwards meet the same database), and a switch that makes the
origin slow (the file named by $FIELD_SLOW_FILE exists: each request waits FIELD_SLOW_SECONDS).

Data changes do not come through HTTP here: the scenario makes them in another process
(drf/field_changes.py), whose model signals push them to the Worker (drfgate/sync.py).
"""
from rollback_settings import *  # noqa: F401,F403
from rollback_settings import MIDDLEWARE

MIDDLEWARE = ["field_slow.SlowMiddleware", *MIDDLEWARE]
