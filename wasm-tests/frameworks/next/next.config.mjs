// Nothing for drf-gate with `next start`: Next bundles the package's Node entries for the server
// and its browser entries for the client. DIST_DIR lets next.mjs build with Turbopack and webpack
// side by side. STANDALONE=1 is `output: "standalone"` (next.mjs runs its server.js), with the
// one setting it needs: the package's .wasm files, which Next does not trace, copied into the
// output (a user's app: "./node_modules/drf-gate/..."; this app's drf-gate is one folder up).
export default {
  distDir: process.env.DIST_DIR ?? ".next",
  reactStrictMode: true,
  ...(process.env.STANDALONE === "1"
    ? { output: "standalone", outputFileTracingIncludes: { "/*": ["../node_modules/drf-gate/dist/*.wasm", "../node_modules/drf-gate/package.json"] } }
    : {}),
};
