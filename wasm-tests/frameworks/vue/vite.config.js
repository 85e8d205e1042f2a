import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

// Nothing for drf-gate: the package's exports and its .wasm URL are all Vite needs. The define
// keeps Vue's hydration mismatch details in the production build, so the test sees them.
export default defineConfig({
  plugins: [vue()],
  build: { target: "es2022" },
  define: { __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "true" },
  logLevel: "warn",
});
