import json
import sys

from django.core.management.base import BaseCommand, CommandError

from drfgate.check import DEFAULT_REPLAY, METHODS, run_check
from drfgate.export import Exporter, ExportError


class Command(BaseCommand):
    help = (
        "Send a matrix of requests (routes x methods x credentials) through DRF and through drf-gate, "
        "and report every disagreement. Exit status 1 on any."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--policy",
            help="policy JSON to check (default: export the project now). Checking a committed "
            "policy.json finds a policy that no longer matches the code.",
        )
        parser.add_argument(
            "--replay-cmd",
            default=f"node {DEFAULT_REPLAY}",
            help="command that replays the cases file (its last argument) through drf-gate "
            "(default: %(default)s)",
        )
        parser.add_argument("--users", nargs="+", help="only these usernames (default: every user)")
        parser.add_argument("--objects", type=int, default=3, help="objects per detail route (default: 3)")
        parser.add_argument("--methods", nargs="+", default=METHODS, help="methods (default: %(default)s)")
        parser.add_argument("--keep", metavar="FILE", help="keep the cases file (requests + contexts) here")
        parser.add_argument("--leave-to-origin", nargs="+", default=[], metavar="VIEW")
        parser.add_argument("--max-report", type=int, default=50, help="disagreements to print (default: 50)")

    def handle(self, *args, **options):
        if options["policy"]:
            with open(options["policy"], encoding="utf-8") as f:
                policy = json.load(f)
        else:
            try:
                policy = Exporter(options["leave_to_origin"]).export()
            except ExportError as exc:
                for problem in exc.problems:
                    self.stderr.write(f"error: {problem}")
                raise CommandError("drf-gate export failed", returncode=1)
        try:
            total, disagreements, skipped = run_check(
                policy,
                replay_cmd=options["replay_cmd"],
                users=options["users"],
                objects=options["objects"],
                methods=[m.upper() for m in options["methods"]],
                keep=options["keep"],
            )
        except RuntimeError as exc:
            raise CommandError(str(exc), returncode=2)
        for line in skipped:
            self.stderr.write(f"skipped: {line}")
        for case, diffs in disagreements[: options["max_report"]]:
            req = case["request"]
            self.stdout.write(
                f"DISAGREE #{case['id']} {req['method']} {req['path']} as {case['credential']} "
                f"(view {case['context']['view']}, action {case['context'].get('action')})"
            )
            for diff in diffs:
                self.stdout.write(f"    {diff}")
        if len(disagreements) > options["max_report"]:
            self.stdout.write(f"... and {len(disagreements) - options['max_report']} more")
        summary = f"drfgate_check: {total} requests, {len(disagreements)} disagreements, {len(skipped)} skipped"
        if disagreements:
            self.stdout.write(summary)
            sys.exit(1)
        self.stdout.write(summary)
