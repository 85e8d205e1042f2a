// Start-up cost inside workerd: instantiating the .wasm (the module is compiled by workerd when
// the Worker loads, as in production) and compiling the blog policy into a Gate.
// The edge build: what `drf-gate` gives a Worker (the module and its own glue).
import wasmModule from "drf-gate/drf_gate_bg.wasm";
import { Gate, initSync } from "drf-gate/web-edge";

import policy from "../../../examples/blog/policy.json";

// performance.now() has 1 ms steps in workerd: repeated work is timed in bulk.
function perCall(n, fn) {
  const start = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - start) / n;
}

export default {
  async fetch() {
    // Cold: what a new isolate pays before its first decision (1 ms resolution).
    const t0 = performance.now();
    initSync({ module: wasmModule });
    const t1 = performance.now();
    new Gate(policy).free();
    const t2 = performance.now();
    // Warm averages: a fresh instance each time (imports stubbed: instantiation does not call
    // them), and a fresh Gate each time.
    const stubs = {};
    for (const { module, name } of WebAssembly.Module.imports(wasmModule)) {
      (stubs[module] ??= {})[name] = () => {};
    }
    const instantiate = perCall(200, () => new WebAssembly.Instance(wasmModule, stubs));
    const compile = perCall(200, () => new Gate(policy).free());
    return Response.json({ coldInstantiate: t1 - t0, coldCompile: t2 - t1, instantiate, compile });
  },
};
