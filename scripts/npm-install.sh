#!/usr/bin/env bash
# Installs the repository's npm workspace (root package.json + package-lock.json: every tool the
# build, tests, demo and benchmarks use, one version of each) into ./node_modules with `npm ci`.
# Idempotent: does nothing when node_modules was installed from the same lockfile and package.json
# files. Every script that needs an npm package calls this first.
#
#   bash scripts/npm-install.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
lib_name="${lib_name:-npm-install}"
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"
require node npm

# What the install depends on: the lockfile and every workspace's package.json.
fingerprint() {
  node -e '
const fs = require("node:fs"), crypto = require("node:crypto");
const root = JSON.parse(fs.readFileSync("package.json", "utf8"));
const hash = crypto.createHash("sha256");
for (const file of ["package.json", "package-lock.json", ...root.workspaces.map((w) => w + "/package.json")]) {
  hash.update(file + "\0" + fs.readFileSync(file) + "\0");
}
process.stdout.write(hash.digest("hex") + " node " + process.version + "\n");
'
}

# One install at a time (scripts/test.sh starts one in the background while the native build
# runs): a second caller waits here, then finds the stamp. The lockfile is the lock (npm ci
# replaces node_modules/, so nothing inside it can be).
if command -v flock >/dev/null 2>&1; then
  exec 9<"$root/package-lock.json"
  flock 9
fi
stamp="$root/node_modules/.drf-gate-installed"
want="$(fingerprint)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
timed "npm ci (root workspace: $(node -p 'require("./package.json").workspaces.join(", ")'))" \
  npm ci --no-audit --no-fund --loglevel=error
printf '%s\n' "$want" > "$stamp"
