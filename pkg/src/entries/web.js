// Browsers and bundlers (the default browser entry): the core build (policies, decisions, UI
// gating; no edge authentication, no crypto), the small .wasm. Ready when the import resolves:
// the .wasm next to this file (`new URL("drf_gate_core_bg.wasm", import.meta.url)`) is fetched
// and instantiated by a top-level await. `init()`/`initSync({ module })` stay for code written
// for earlier versions, and for pages that serve the .wasm from elsewhere: if the fetch fails,
// the import still resolves and every call throws `NotInitializedError` (with the fetch's error
// as `cause`) until `init(url)` or `initSync({ module })` succeeds.
import { init } from "./api-core.js";

try {
  await init();
} catch {
  // Recorded by init(): the first call reports it.
}

export * from "./api-core.js";
export { init as default } from "./api-core.js";
