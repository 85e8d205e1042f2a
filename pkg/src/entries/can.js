// `drf-gate/can`: the UI-gating build for browsers. The browser runtime without `check`: compiled
// policies only (`npx drf-gate compile policy.json -o policy.gate`), `can`, `permissionsFor`,
// `subject`, `actions`, `route`; the smallest .wasm (no decision rendering, no content
// negotiation). Ready when the import resolves: the .wasm next to this file
// (`new URL("drf_gate_can_bg.wasm", import.meta.url)`) is fetched and instantiated by a top-level
// await; if that fails, `init(url)` or `initSync({ module })`.
import { init } from "./api-can.js";

try {
  await init();
} catch {
  // Recorded by init(): the first call reports it.
}

export * from "./api-can.js";
export { init as default } from "./api-can.js";
