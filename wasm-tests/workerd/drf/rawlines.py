"""What the origin received: one JSON line per request (the WSGI environ's HTTP_* keys, CONTENT_TYPE,
CONTENT_LENGTH, the path and method) appended to $RAWLINES_LOG. Changes nothing of the request or
the response; wasm-tests/workerd/raw-lines.mjs reads the lines."""
import json
import os


class EnvironLog:
    def __init__(self, get_response):
        self.get_response = get_response
        self.path = os.environ["RAWLINES_LOG"]

    def __call__(self, request):
        meta = request.META
        seen = {k: v for k, v in meta.items() if k.startswith("HTTP_") or k in ("CONTENT_TYPE", "CONTENT_LENGTH")}
        line = json.dumps({"method": meta.get("REQUEST_METHOD"), "path": meta.get("PATH_INFO"), "environ": seen}, sort_keys=True)
        with open(self.path, "a", encoding="ascii") as log:
            log.write(line + "\n")
        return self.get_response(request)
