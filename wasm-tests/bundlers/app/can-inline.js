// The UI-gating app as esbuild and Rollup bundle it: `drf-gate/can/inline` (the .wasm inside).
import * as drf from "drf-gate/can/inline";
import { checkRefused, gate } from "./gating.js";

try {
  window.__check = checkRefused(drf);
  window.__result = gate(drf, document);
} catch (error) {
  window.__error = String(error?.stack ?? error);
}
