// A SvelteKit app as `npx sv create` makes it, with adapter-node. Nothing for drf-gate.
import adapter from "@sveltejs/adapter-node";

export default { kit: { adapter: adapter() } };
