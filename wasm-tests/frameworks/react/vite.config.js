import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Nothing for drf-gate: the package's exports and its .wasm URL are all Vite needs.
export default defineConfig({ plugins: [react()], build: { target: "es2022" }, logLevel: "warn" });
