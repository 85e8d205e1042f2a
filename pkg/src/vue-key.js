// The one injection key of drf-gate/vue and drf-gate/can/vue: a provider of either (provideGate,
// the createGate plugin) serves the composables and <Can> of both (an app, or a library and the app
// using it, may mix the entries; the nearest provider answers, as with one entry).

/** The injection key of the gate state. */
export const GATE_KEY = Symbol("drf-gate");
