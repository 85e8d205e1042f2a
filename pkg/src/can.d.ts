// Types of `drf-gate/can`: the UI-gating build (the browser runtime without `check`). Everything
// `drf-gate/runtime` exports, with a `Gate` that has no `check` (it throws an `Error` with `code`
// `"needs_check_build"`), no `toCompiled` (no compiler) and no raw requests (no edge build).
import type { Gate as RuntimeGate, Policy } from "./index.js";

export * from "./index.js";
export { default } from "./index.js";

/**
 * A compiled policy loaded for UI gating: `can`, `permissionsFor`, `subject`, `views`,
 * `actions`, `route`, `free`, answering as `drf-gate/runtime` does.
 *
 * ```ts
 * import { Gate } from "drf-gate/can";
 * const gate = new Gate(new Uint8Array(await (await fetch("/policy.gate")).arrayBuffer()));
 * gate.can(user, "posts", "destroy", post);
 * ```
 */
export type Gate<P extends Policy = Policy> = Omit<RuntimeGate<P>, "check" | "toCompiled" | "checkRequest" | "checkRequestSync">;
/** Loads a compiled policy (`npx drf-gate compile policy.json -o policy.gate`); throws `PolicyError`. */
export declare const Gate: {
  new <const P extends Policy = Policy>(policy: Uint8Array | ArrayBuffer): Gate<P>;
  readonly prototype: Gate;
};
