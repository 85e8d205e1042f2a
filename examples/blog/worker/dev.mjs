// Runs the Worker locally in Miniflare (real workerd) in front of a running DRF server.
//
//   node dev.mjs --kv kv.json [--origin http://127.0.0.1:8000] [--port 8787] [--no-objects] [--records-current]
//
// kv.json is `manage.py worker_kv --sessions` output; the JWT signing key comes from
// $JWT_SIGNING_KEY or .dev.vars (JWT_SIGNING_KEY=...). Prints `worker listening on <url>`.
// The sync endpoint's secret comes from $DRFGATE_SYNC_SECRET or .dev.vars. --records-current:
// the origin pushes every change to this Worker (its DRFGATE_SYNC_URL and DRFGATE_SYNC_SECRET
// set), so the records are current here (one location) and answers resting on them are given
// at the edge; without it (a copy made once by worker_kv) they go to the origin
// (src/options.js, EDGE_RECORDS_CURRENT).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

import * as esbuild from "esbuild";
import { Log, LogLevel, Miniflare } from "miniflare";

import { fillKv, here, workerOptions } from "./miniflare.mjs";

const { values } = parseArgs({
  options: {
    kv: { type: "string" },
    origin: { type: "string" },
    port: { type: "string", default: "8787" },
    "no-objects": { type: "boolean", default: false },
    "records-current": { type: "boolean", default: false },
  },
});

function devVars() {
  const path = join(here, ".dev.vars");
  if (!existsSync(path)) return {};
  return Object.fromEntries(
    readFileSync(path, "utf8").split("\n").map((line) => line.match(/^\s*(\w+)\s*=\s*"?(.*?)"?\s*$/)).filter(Boolean).map((m) => [m[1], m[2]]),
  );
}

const signingKey = process.env.JWT_SIGNING_KEY || devVars().JWT_SIGNING_KEY;
if (!signingKey) console.error("dev.mjs: no JWT_SIGNING_KEY: requests with a JWT go to the origin");
const objects = !values["no-objects"];
const options = await workerOptions({
  esbuild,
  outDir: join(here, ".wrangler", "dev"),
  origin: values.origin,
  signingKey,
  objects,
  ...(values["records-current"] ? { recordsCurrent: true } : {}),
});
const syncSecret = process.env.DRFGATE_SYNC_SECRET || devVars().DRFGATE_SYNC_SECRET;
if (syncSecret) options.bindings.DRFGATE_SYNC_SECRET = syncSecret;
// cf: false: the placeholder `request.cf`, no download of Cloudflare's.
const mf = new Miniflare({ ...options, cf: false, host: "127.0.0.1", port: Number(values.port), log: new Log(LogLevel.WARN) });
const url = await mf.ready;
if (values.kv) {
  const count = await fillKv(mf, JSON.parse(readFileSync(values.kv, "utf8")), options.kvNamespaces);
  console.log(`filled KV (${options.kvNamespaces.join(", ")}): ${count} keys`);
}
console.log(`worker listening on ${url.href.replace(/\/$/, "")} (origin ${options.bindings.ORIGIN})`);

const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
