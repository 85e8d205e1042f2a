// `drf-gate/runtime`: the browser runtime. Compiled policies only (a Uint8Array from
// `npx drf-gate compile policy.json -o policy.gate` or `gate.toCompiled()`), the smallest .wasm
// (no policy compiler, no condition parser, no JSON reader). Ready when the import resolves: the
// .wasm next to this file (`new URL("drf_gate_runtime_bg.wasm", import.meta.url)`) is fetched and
// instantiated by a top-level await; if that fails, `init(url)` or `initSync({ module })`.
import { init } from "./api-runtime.js";

try {
  await init();
} catch {
  // Recorded by init(): the first call reports it.
}

export * from "./api-runtime.js";
export { init as default } from "./api-runtime.js";
