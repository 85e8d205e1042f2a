import json
import sys

from django.core.management.base import BaseCommand, CommandError

from drfgate.export import Exporter, ExportError


def dump_policy(policy):
    return json.dumps(policy, indent=2, ensure_ascii=False) + "\n"


def write_compiled(text, path, stderr):
    """Compiles the exported policy text with the in-process core and writes the bytes to ``path``."""
    from drfgate import core

    if not core.available():
        raise CommandError(
            "--compiled needs the compiled core (drfgate._native): install the drf-gate wheel, or "
            "run `npx drf-gate compile policy.json -o policy.gate`",
            returncode=1,
        )
    try:
        data = core.compile(text)
    except core.PolicyError as exc:
        raise CommandError(f"drf-gate could not compile the exported policy: {exc}", returncode=1)
    with open(path, "wb") as f:
        f.write(data)
    stderr.write(f"wrote {path}: compiled policy, {len(data)} bytes")


class Command(BaseCommand):
    help = "Write the drf-gate policy (docs/policy.md) of every DRF view and viewset in the URLconf."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (default: stdout)")
        parser.add_argument(
            "--leave-to-origin",
            nargs="+",
            default=[],
            metavar="VIEW",
            help="views to leave out of the policy (listed in 'leftToOrigin'): the origin decides for them",
        )
        parser.add_argument(
            "--include-secrets", action="store_true", help="also export SIMPLE_JWT's SIGNING_KEY (edge JWT checks)"
        )
        parser.add_argument("--urlconf", help="URLconf module (default: ROOT_URLCONF)")
        parser.add_argument(
            "--compiled",
            metavar="FILE",
            help="also write the compiled policy (policy.gate: the bytes `npx drf-gate compile` writes, "
            "which the browser runtime loads); needs the compiled core (the wheel)",
        )

    def handle(self, *args, **options):
        exporter = Exporter(options["leave_to_origin"], options["include_secrets"], options["urlconf"])
        try:
            policy = exporter.export()
        except ExportError as exc:
            for problem in exc.problems:
                self.stderr.write(f"error: {problem}")
            raise CommandError(f"drf-gate export failed: {len(exc.problems)} problem(s)", returncode=1)
        for warning in exporter.warnings:
            self.stderr.write(f"warning: {warning}")
        for line in exporter.translation_report():
            self.stderr.write(f"translate: {line}")
        text = dump_policy(policy)
        if options["compiled"]:
            write_compiled(text, options["compiled"], self.stderr)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as f:
                f.write(text)
            n_actions = sum(len(v["actions"]) for v in policy["views"].values())
            self.stderr.write(
                f"wrote {options['output']}: {len(policy['views'])} views, {n_actions} actions, "
                f"{len(policy['routes'])} routes, {len(policy.get('classes', {}))} custom permission classes"
                + (f", left to origin: {', '.join(policy['leftToOrigin'])}" if policy.get("leftToOrigin") else "")
            )
        else:
            sys.stdout.write(text)
