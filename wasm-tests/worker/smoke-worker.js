// A Worker importing drf-gate as a consumer does; /smoke runs the shared smoke test.
import * as api from "drf-gate";
import { policy, smoke } from "../smoke.js";

const gate = new api.Gate(policy);

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/smoke") return Response.json(smoke(api));
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
