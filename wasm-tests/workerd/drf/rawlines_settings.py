"""The raw-lines harness' server (wasm-tests/workerd/raw-lines.mjs): the sample project with every
request rolled back (rollback_settings), and outermost a middleware that logs what reached Django
(rawlines.EnvironLog). The sample project's behaviour is unchanged."""
from rollback_settings import *  # noqa: F401,F403
from rollback_settings import MIDDLEWARE

MIDDLEWARE = ["rawlines.EnvironLog", *MIDDLEWARE]
