import { sveltekit } from "@sveltejs/kit/vite";
import { defineConfig } from "vite";

// Nothing for drf-gate: the package's exports and its .wasm URL are all SvelteKit needs.
export default defineConfig({ plugins: [sveltekit()], logLevel: "warn" });
