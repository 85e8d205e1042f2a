#!/usr/bin/env python
"""Run drfgate's tests against the sample project (examples/blog/server).

    python python/runtests.py [-v 2] [--parallel N] [test labels]

--parallel N runs the test classes in N processes (Django's runner; scripts/test.sh uses one per
CPU core).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "..", "examples", "blog", "server")


def main():
    sys.path[:0] = [HERE, os.path.abspath(SERVER)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
    import importlib.util

    import django
    from django.conf import settings

    if importlib.util.find_spec("knox") and "knox" not in settings.INSTALLED_APPS:
        # drfgate_check's knox test needs knox's AuthToken table (examples/blog/server/setup.sh
        # installs it); the sample project itself does not use knox.
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "knox"]
    if importlib.util.find_spec("guardian") and "guardian" not in settings.INSTALLED_APPS:
        # drfgate_check's object-permission test (DjangoObjectPermissions with guardian's backend,
        # which that test adds to AUTHENTICATION_BACKENDS); no guardian AnonymousUser row, so the
        # other tests see the sample project's users only.
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "guardian"]
        settings.ANONYMOUS_USER_NAME = None
        settings.SILENCED_SYSTEM_CHECKS = [*settings.SILENCED_SYSTEM_CHECKS, "guardian.W001"]  # backend: per test
    from django.test.utils import get_runner

    django.setup()
    # The seed command hashes six passwords; the default hasher makes that take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    verbosity, parallel = 1, 0
    args = sys.argv[1:]
    while args[:1] in (["-v"], ["--parallel"]) and len(args) > 1:
        if args[0] == "-v":
            verbosity = int(args[1])
        else:
            parallel = int(args[1])
        args = args[2:]
    runner = get_runner(settings)(verbosity=verbosity, top_level=HERE, parallel=parallel)
    failures = runner.run_tests(args or [os.path.join(HERE, "tests")])
    sys.exit(bool(failures))


if __name__ == "__main__":
    main()
