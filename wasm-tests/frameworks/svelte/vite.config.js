import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

// Nothing for drf-gate: the package's exports and its .wasm URL are all Vite needs.
export default defineConfig({ plugins: [svelte()], build: { target: "es2022" }, logLevel: "warn" });
