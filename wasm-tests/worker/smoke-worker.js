// A Worker importing drf-gate as a consumer does (the edge build); /smoke and /edge-smoke run the
// shared smoke tests.
import * as api from "drf-gate";
import { edgeSmoke, policy, smoke } from "../smoke.js";

const gate = new api.Gate(policy);

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/smoke") return Response.json(smoke(api));
    if (url.pathname === "/edge-smoke") return Response.json(await edgeSmoke(api));
    const view = url.pathname.split("/")[1];
    try {
      const decision = gate.check({ view, method: request.method, detail: false, user: null });
      if (!decision.allowed) return new Response(decision.body, { status: decision.status, headers: decision.headers });
      return new Response("proxied to origin");
    } catch (e) {
      return Response.json({ name: e.name, code: e.code }, { status: 500 });
    }
  },
};
