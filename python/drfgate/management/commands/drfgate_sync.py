"""Full re-sync of the edge's identity data (users, tokens, sessions, objects).

    python manage.py drfgate_sync                 # push everything to DRFGATE_SYNC["URL"]
    python manage.py drfgate_sync --dump kv.json  # or write it as KV namespaces (JSON)

Run it once when the Worker is deployed, and after bulk changes that bypass model signals
(``QuerySet.update``, ``bulk_create``, raw SQL). Day to day, the signal receivers of
``drfgate/sync.py`` push each change as it commits.
"""
import json

from django.core.management.base import BaseCommand, CommandError

from drfgate import sync


class Command(BaseCommand):
    help = "Push every record the edge reads to the Worker's sync endpoint (or dump it as KV JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--dump", metavar="FILE", help="write {kv: {NAMESPACE: {key: value}}} instead of pushing")
        parser.add_argument("--batch", type=int, default=500, help="records per push (default 500)")

    def handle(self, *args, **options):
        conf = sync.config()
        writes = sync.full_writes(conf)
        if options["dump"]:
            with open(options["dump"], "w", encoding="utf-8") as out:
                json.dump({"kv": sync.as_kv(writes)}, out, indent=1)
                out.write("\n")
            self.stderr.write(f"wrote {options['dump']}: {len(writes)} records")
            return
        if not conf["URL"]:
            raise CommandError("DRFGATE_SYNC['URL'] is not set: nothing to push to (use --dump FILE)")
        for start in range(0, len(writes), options["batch"]):
            try:
                sync.push(writes[start : start + options["batch"]], conf)
            except sync.SyncError as error:
                raise CommandError(str(error)) from error
        self.stderr.write(f"pushed {len(writes)} records to {conf['URL']}")
