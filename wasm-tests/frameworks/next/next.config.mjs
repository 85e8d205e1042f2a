// Nothing for drf-gate: Next bundles the package's Node entries for the server and its browser
// entries for the client. DIST_DIR lets next.mjs build with Turbopack and webpack side by side.
export default { distDir: process.env.DIST_DIR ?? ".next", reactStrictMode: true };
