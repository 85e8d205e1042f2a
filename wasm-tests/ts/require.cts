// A CommonJS TypeScript consumer: every entry point resolves to declarations for `require`.
import drf = require("drf-gate");
import guard = require("drf-gate/guard");
import hono = require("drf-gate/hono");
import dom = require("drf-gate/dom");
import edge = require("drf-gate/web-edge");

const gate: drf.Gate = new drf.Gate({ views: { posts: {} } });
const d: drf.Decision = gate.check({ view: "posts", action: "list" });
export const allowed: boolean = d.allowed;
export const isPolicyError = (e: unknown): e is drf.PolicyError => e instanceof drf.PolicyError;
export const isNotReady = (e: unknown): e is drf.NotInitializedError => e instanceof drf.NotInitializedError;
export const guardOf = (): guard.Guard => guard.createGuard({ gate });
export const middleware = hono.drfGate({ gate });
export const mount = (root: HTMLElement): dom.GateDomController => dom.gateDom(root, gate, null);
export const edgeGate: edge.Gate = gate;
