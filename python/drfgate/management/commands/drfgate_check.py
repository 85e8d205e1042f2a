import json
import sys

from django.core.management.base import BaseCommand, CommandError

from drfgate.check import DEFAULT_REPLAY, METHODS, run_check, server_errors
from drfgate.export import Exporter, ExportError


class Command(BaseCommand):
    help = (
        "Send a matrix of requests (routes x methods x credentials) through DRF and through drf-gate, "
        "and report every disagreement. Exit status 1 on any disagreement, and also when the check "
        "checked nothing or skipped more than --max-skipped of its requests."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--policy",
            help="policy JSON to check (default: export the project now). Checking a committed "
            "policy.json finds a policy that no longer matches the code.",
        )
        parser.add_argument(
            "--replay-cmd",
            default=None,
            help="command that replays the cases file (its last argument) through drf-gate "
            "(default: in-process through the compiled core drfgate._native; "
            f"--node for node {DEFAULT_REPLAY} and the npm package)",
        )
        parser.add_argument("--node", action="store_true", help="replay through Node and the npm package")
        parser.add_argument(
            "--max-skipped",
            type=float,
            default=0.1,
            metavar="SHARE",
            help="fail when more than this share of the requests never reached DRF's decision "
            "(default: %(default)s)",
        )
        parser.add_argument(
            "--no-generated-users",
            action="store_true",
            help="check only the database's users (default: also plain, staff, superuser, inactive, "
            "all-permissions and group-member users created inside a rolled-back transaction)",
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
        replay_cmd = options["replay_cmd"]
        if options["node"] and not replay_cmd:
            replay_cmd = f"node {DEFAULT_REPLAY}"
        try:
            result = run_check(
                policy,
                replay_cmd=replay_cmd,
                generate_users=not options["no_generated_users"],
                users=options["users"],
                objects=options["objects"],
                methods=[m.upper() for m in options["methods"]],
                keep=options["keep"],
            )
        except RuntimeError as exc:
            raise CommandError(str(exc), returncode=2)
        total, disagreements, skipped = result
        for line in skipped[: options["max_report"]]:
            self.stderr.write(f"skipped: {line}")
        if len(skipped) > options["max_report"]:
            self.stderr.write(f"skipped: ... and {len(skipped) - options['max_report']} more")
        self.stdout.write("covered (view.action [methods]: requests):")
        for line in result.coverage_lines():
            self.stdout.write(f"    {line}")
        for view in result.uncovered_views(policy):
            self.stdout.write(f"    {view}: NOT COVERED (no route of it could be requested)")
        for name in result.unauthenticated_classes(policy):
            self.stdout.write(f"authentication {name}: NOT COVERED (no request was authenticated by it; "
                              "its credentials are not ones drfgate_check sends)")
        origins = {}  # why -> (requests, the first request)
        for line in result.origins:
            request, why = line.split(": ", 1)
            count, first = origins.get(why, (0, request))
            origins[why] = (count + 1, first)
        for why, (count, first) in origins.items():
            self.stdout.write(f"the origin's, {count} requests (e.g. {first}): {why}")
        for error, count, first in server_errors(result.cases):
            req = first["request"]
            self.stdout.write(f"server error in the project's code, {count} requests "
                              f"(e.g. {req['method']} {req['path']} as {first['credential']}): {error}")
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
        self.stdout.write(summary)
        failure = result.failure(options["max_skipped"])
        if failure:
            self.stderr.write(f"drfgate_check FAILED: {failure}")
        if disagreements or failure:
            sys.exit(1)
