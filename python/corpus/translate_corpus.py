#!/usr/bin/env python
"""Translate every permission class of a corpus of real code, prove each translation, and print

    translate: N classes, N translated, N proved, N left to origin

The corpus: the sample project's classes (examples/blog/server/blog/permissions.py) and every
permission class (a BasePermission subclass overriding has_permission / has_object_permission)
defined by the packages of python/corpus/requirements.txt (DRF's own classes, djoser,
djangorestframework-api-key, django-oauth-toolkit, dry-rest-permissions, drf-access-policy,
rest-condition, drf-extensions, drf-role, drf-psq), read from their installed source. With
``--extra DIR`` (repeatable) the permission modules (``**/permissions*.py``) of checked-out
projects are read too (python/corpus/projects.sh fetches them at pinned commits).

A class is *translated* when each method it overrides translates; *proved* when each translation
agrees with the real method on every generated input (drfgate.prove); otherwise it is *left to
origin*, with the reason and file:line. Exit status 1 if a translated class is not proved.

    python python/corpus/translate_corpus.py [-v] [--extra DIR ...]
"""
import argparse
import glob
import importlib
import importlib.util
import inspect
import os
import pkgutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
PACKAGES = ["rest_framework", "djoser", "rest_framework_api_key", "knox", "oauth2_provider", "dry_rest_permissions",
            "rest_access_policy", "rest_condition", "rest_framework_extensions", "drf_role", "drf_psq",
            "edx_rest_framework_extensions", "push_notifications", "drf_any_permissions", "bridgekeeper"]
APPS = ["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions", "rest_framework",
        "rest_framework.authtoken", "rest_framework_api_key", "knox", "oauth2_provider", "drf_role",
        "push_notifications"]


def setup_django():
    import django
    from django.conf import settings

    apps = [a for a in APPS if importlib.util.find_spec(a.split(".")[0]) is not None]
    settings.configure(
        INSTALLED_APPS=apps,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        SECRET_KEY="corpus",
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        ROOT_URLCONF=__name__,
    )
    django.setup()


urlpatterns = []


def package_modules(top):
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        return []
    names = [top]
    for info in pkgutil.walk_packages(spec.submodule_search_locations, top + "."):
        if ".tests" in info.name or ".test_" in info.name:
            continue
        leaf = info.name.rsplit(".", 1)[-1]
        if "permission" in leaf or leaf in ("policy", "access_policy", "conditions", "rest_framework", "mixins", "generics"):
            names.append(info.name)
    return names


def file_modules(directory):
    """Import each permissions*.py under ``directory`` as a stand-alone module (its imports of the
    project's own modules may fail: that file is then reported, not counted)."""
    out, failed = [], []
    for path in sorted(glob.glob(os.path.join(directory, "**", "permission*.py"), recursive=True)):
        name = "corpus_" + os.path.relpath(path, directory).replace(os.sep, "_").removesuffix(".py").replace("-", "_").replace(".", "_")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # noqa: BLE001 - a project module that needs the project
            failed.append(f"{os.path.relpath(path, directory)}: not importable alone ({type(exc).__name__}: {exc})")
            continue
        out.append(module)
    return out, failed


def classes_of(module):
    from rest_framework.permissions import BasePermission

    for _, obj in sorted(vars(module).items()):
        if (isinstance(obj, type) and issubclass(obj, BasePermission) and obj.__module__ == module.__name__
                and ("has_permission" in obj.__dict__ or "has_object_permission" in obj.__dict__)):
            yield obj


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per class")
    parser.add_argument("--extra", action="append", default=[], help="a checked-out project to read too")
    parser.add_argument("--no-sample", action="store_true")
    args = parser.parse_args()
    # An installed drfgate (the wheel) wins over the checkout's python/.
    sys.path.insert(0, os.path.join(REPO, "examples", "blog", "server"))
    sys.path.append(os.path.join(REPO, "python"))
    setup_django()
    from drfgate import core
    from drfgate.export import KNOWN_PERMISSIONS, USER_MODEL_VARIANTS, Exporter, prove_known
    from drfgate.translate import condition_errors, translate_method

    if not core.available():
        print("translate_corpus: the compiled core (drfgate._native) is needed to prove", file=sys.stderr)
        return 2
    modules, notes = [], []
    if not args.no_sample:
        modules.append(importlib.import_module("blog.permissions"))
    for top in PACKAGES:
        for name in package_modules(top):
            try:
                modules.append(importlib.import_module(name))
            except Exception as exc:  # noqa: BLE001
                notes.append(f"{name}: not importable ({type(exc).__name__}: {exc})")
    for directory in args.extra:
        found, failed = file_modules(directory)
        modules += found
        notes += failed
    seen, classes = set(), []
    for module in modules:
        for cls in classes_of(module):
            if cls not in seen:
                seen.add(cls)
                classes.append(cls)
    exporter = Exporter()
    from rest_framework.permissions import BasePermission

    counts = {"classes": 0, "translated": 0, "proved": 0, "left": 0}
    refuted = []
    for cls in classes:
        where = f"{cls.__module__}.{cls.__qualname__}"
        if where in KNOWN_PERMISSIONS:
            # A well-known class: drf-gate's table, proved against the installed package (on
            # objects of another model, and on user objects for the user-model variant).
            decl = KNOWN_PERMISSIONS[where]
            proofs = [prove_known(cls, decl), prove_known(cls, USER_MODEL_VARIANTS.get(where, decl), user_model=True)]
            counts["classes"] += 1
            counts["translated"] += 1
            if all(p is not None and p.proved for p in proofs):
                counts["proved"] += 1
                if args.verbose:
                    print(f"proved      {where} (well-known): {decl['hasObjectPermission']}")
            else:
                refuted.append(cls)
                counts["left"] += 1
                print(f"REFUTED     {where} (well-known): {[p.disagreements[:1] for p in proofs if p is not None]}")
            continue
        bases = [b for b in cls.__mro__[1:] if isinstance(b, type) and issubclass(b, BasePermission)]
        base = bases[0] if bases else BasePermission
        try:
            exporter.permission_class(base)
        except Exception:  # noqa: BLE001 - the base's own problems do not stop its subclasses
            pass
        base_conditions = exporter._base_conditions(base)
        results = []
        for method in ("has_permission", "has_object_permission"):
            if method in cls.__dict__:
                t = translate_method(cls, method, base_conditions)
                if t.condition is not None:
                    errors = condition_errors(t.condition, object_level=method == "has_object_permission")
                    if errors:
                        t.reasons.append(f"not a condition: {errors[0]}")
                        t.condition = None
                    else:
                        t.prove(cls, method)
                results.append((method, t))
        counts["classes"] += 1
        if all(t.condition is not None for _, t in results):
            counts["translated"] += 1
            if all(t.proof is not None and t.proof.proved for _, t in results):
                counts["proved"] += 1
                if args.verbose:
                    print(f"proved      {where}: " + "; ".join(f"{m}: {t.condition}" for m, t in results))
            else:
                refuted.append(cls)
                counts["left"] += 1
                for m, t in results:
                    if t.proof is not None and not t.proof.proved:
                        print(f"REFUTED     {where}.{m}: {t.condition}: {t.proof.disagreements[0]}")
        else:
            counts["left"] += 1
            if args.verbose:
                why = "; ".join(f"{m}: {t.reason_text()}" for m, t in results if t.condition is None)
                print(f"left        {where}: {why}")
    for note in notes:
        print(f"note: {note}")
    print(f"translate: {counts['classes']} classes, {counts['translated']} translated, {counts['proved']} proved, "
          f"{counts['left']} left to origin")
    return 1 if refuted else 0


if __name__ == "__main__":
    sys.exit(main())
