import os
import time


class SlowMiddleware:
    """Waits FIELD_SLOW_SECONDS (default 1.5) while the file $FIELD_SLOW_FILE exists."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        flag = os.environ.get("FIELD_SLOW_FILE")
        if flag and os.path.exists(flag):
            time.sleep(float(os.environ.get("FIELD_SLOW_SECONDS", "1.5")))
        return self.get_response(request)
