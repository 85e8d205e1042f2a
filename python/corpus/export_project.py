#!/usr/bin/env python
"""Run drfgate's exporter on a checked-out DRF project and say, per view, whether it was exported
or left to the origin, and why (python/corpus/projects.sh runs it on pinned real projects).

    python python/corpus/export_project.py PROJECT_DIR SETTINGS_MODULE [--label NAME]

Prints one line per view, then the whole export's problems (those no single view shows:
middleware, authentication backends, a comparison the view's model makes always False, ...) with
the views view by view exported left to the origin, then
    project NAME: N views, N exported, N left to origin, N export problems (N permission classes translated)
Exporter failures (an exception while exporting a view) are reported with the view and the
exception's innermost file:line, never hidden.
"""
import argparse
import os
import sys
import traceback


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("project")
    parser.add_argument("settings")
    parser.add_argument("--label")
    args = parser.parse_args()
    label = args.label or os.path.basename(os.path.abspath(args.project))
    sys.path.insert(0, os.path.abspath(args.project))
    os.environ["DJANGO_SETTINGS_MODULE"] = args.settings
    import django
    from django.conf import settings

    try:
        # No database server here: the export reads classes, not rows.
        settings.DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
        django.setup()
    except Exception as exc:  # noqa: BLE001 - the project does not boot: say where
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        print(f"project {label}: does not boot with this stack: {type(exc).__name__}: {exc} "
              f"({frame.filename}:{frame.lineno})")
        return 1
    from drfgate.export import Exporter

    exporter = Exporter()
    from rest_framework.settings import api_settings

    problems = []
    exporter.global_auth = [exporter.authentication_class(c, problems) for c in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    exporter.global_perms = [exporter.permission_expression(c, problems) for c in api_settings.DEFAULT_PERMISSION_CLASSES]
    exporter.global_renderers = [getattr(c, "__name__", str(c)) for c in api_settings.DEFAULT_RENDERER_CLASSES]
    try:
        routes = exporter.collect_routes()
    except Exception as exc:  # noqa: BLE001
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        print(f"project {label}: the URLconf does not load: {type(exc).__name__}: {exc} ({frame.filename}:{frame.lineno})")
        return 1
    exported, left = 0, []
    for name, view_routes in routes.items():
        try:
            _, _, view_problems = exporter.export_view(name, view_routes)
        except Exception as exc:  # noqa: BLE001 - an exporter failure: located, counted as left
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            print(f"  LEFT     {name}: exporter failure {type(exc).__name__}: {exc} ({frame.filename}:{frame.lineno})")
            left.append(name)
            continue
        view_problems = list(dict.fromkeys(problems + view_problems))
        if view_problems:
            left.append(name)
            first = str(view_problems[0]).splitlines()[0]
            print(f"  LEFT     {name}: {first}" + (f" (+{len(view_problems) - 1} more)" if len(view_problems) > 1 else ""))
        else:
            exported += 1
            print(f"  exported {name}")
    for warning in dict.fromkeys(exporter.warnings):
        print(f"  warning: {warning}")
    for line in exporter.translation_report():
        print(f"  translate: {line}")
    translated = sum(1 for methods in exporter.translations.values()
                     if all(t.condition is not None and (t.proof is None or t.proof.proved) for t in methods.values()))
    whole = export_problems(left)
    print(f"project {label}: {len(routes)} views, {exported} exported, {len(left)} left to origin, "
          f"{whole} export problems ({translated} permission classes translated)")
    return 0


def export_problems(left):
    """The whole export (what ``manage.py drfgate_export --leave-to-origin LEFT`` does): prints
    each problem only it finds; returns their number."""
    from drfgate import core
    from drfgate.export import ExportError, export_policy

    try:
        policy = export_policy(leave_to_origin=left)
        if core.available():
            # What a Worker does with it: an export the core refuses is an exporter bug, never a
            # policy to ship (storefront-django's three API roots at one URL were refused so).
            core.compile(policy)
    except core.PolicyError as exc:
        print(f"  EXPORT   the core refuses the exported policy: {exc}")
        return 1
    except ExportError as exc:
        for problem in exc.problems:
            print(f"  EXPORT   {str(problem).splitlines()[0]}")
        return len(exc.problems)
    except Exception as exc:  # noqa: BLE001 - an exporter failure: located, never hidden
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        print(f"  EXPORT   exporter failure {type(exc).__name__}: {exc} ({frame.filename}:{frame.lineno})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
