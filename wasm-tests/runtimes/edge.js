// Vercel's edge runtime and workerd: bundled with the conditions their builders use.
import * as drf from "drf-gate";
import { decide } from "./decide.js";

export default {
  async fetch() {
    try {
      return new Response(JSON.stringify(await decide(drf)));
    } catch (error) {
      return new Response(String(error?.stack ?? error), { status: 500 });
    }
  },
};
