// Where the packed package is installed (see ../pack.mjs), and how a consumer loads it.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const testsDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const repoDir = join(testsDir, "..");
export const consumerDir = join(testsDir, ".scratch", "consumer");
if (!existsSync(join(consumerDir, "node_modules", "drf-gate"))) {
  throw new Error("the package is not packed: run wasm-tests/run.sh (or node wasm-tests/pack.mjs)");
}

/** `import ... from "drf-gate"` as an ESM consumer under Node. */
export const loadEsm = () => import(pathToFileURL(join(consumerDir, "esm.mjs")).href);
/** `require("drf-gate")` as a CommonJS consumer. */
export const loadCjs = () => createRequire(join(consumerDir, "cjs.cjs"))(join(consumerDir, "cjs.cjs"));
/** The installed package's files. */
export const installedDir = join(consumerDir, "node_modules", "drf-gate");

/**
 * The edge build's raw-request JSON path (the glue's `GateCore.prototype.startRequest`), its calls
 * counted (`calls`) until `restore()`.
 */
export async function countStartRequest() {
  const { GateCore } = await import(pathToFileURL(join(installedDir, "dist", "drf_gate.js")).href);
  const startRequest = GateCore.prototype.startRequest;
  const counter = {
    calls: 0,
    restore: () => {
      GateCore.prototype.startRequest = startRequest;
    },
  };
  GateCore.prototype.startRequest = function (...args) {
    counter.calls++;
    return startRequest.apply(this, args);
  };
  return counter;
}
