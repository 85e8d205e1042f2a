// The UI-gating app as webpack and Vite bundle it: `drf-gate/can` (the .wasm next to the module).
import * as drf from "drf-gate/can";
import { checkRefused, gate } from "./gating.js";

try {
  window.__check = checkRefused(drf);
  window.__result = gate(drf, document);
} catch (error) {
  window.__error = String(error?.stack ?? error);
}
