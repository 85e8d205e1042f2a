import { decide } from "./decide.js";

export default {
  async fetch() {
    try {
      return Response.json(await decide());
    } catch (error) {
      return new Response(String(error?.stack ?? error), { status: 500 });
    }
  },
};
