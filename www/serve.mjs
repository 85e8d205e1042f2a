#!/usr/bin/env node
// A tiny static server for the demo and playground, no dependencies.
//
//   node www/serve.mjs            # http://127.0.0.1:8080/www/
//   PORT=9000 node www/serve.mjs  # PORT=0 picks a free port
//
// It serves only what the page needs from the repository: /www/, the built package
// (/pkg/dist/) and the sample policy (/examples/blog/policy.json). Once listening it prints one
// line, `serving http://127.0.0.1:PORT/www/`, which scripts and tests read.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

// URL prefixes served, each mapped to a directory or a single file of the repository.
const ROUTES = [
  { prefix: "/www/", dir: "www" },
  { prefix: "/pkg/dist/", dir: "pkg/dist" },
  { file: "/examples/blog/policy.json", path: "examples/blog/policy.json" },
];

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
};

// The repository path for a URL path, or null when it is not served.
function resolve(urlPath) {
  for (const route of ROUTES) {
    if (route.file === urlPath) return join(root, route.path);
    if (route.prefix && urlPath.startsWith(route.prefix)) {
      const rest = urlPath.slice(route.prefix.length) || "index.html";
      const base = join(root, route.dir);
      const full = normalize(join(base, rest));
      // No escaping the served directory (`..`, encoded or not).
      if (full !== base && !full.startsWith(base + sep)) return null;
      return full.endsWith(sep) ? join(full, "index.html") : full;
    }
  }
  return null;
}

// The DOM helper ships in dist/ (copied from pkg/src/ by the build); a dist built before that
// copy existed still gets the helper, from its source.
const FALLBACKS = { "/pkg/dist/dom.js": "pkg/src/dom.js", "/pkg/dist/dom.d.ts": "pkg/src/dom.d.ts" };

async function withFallback(urlPath, file) {
  const source = FALLBACKS[urlPath];
  if (!source) return file;
  try {
    await stat(file);
    return file;
  } catch {
    return join(root, source);
  }
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...headers });
  res.end(body);
}

export function createStaticServer() {
  return createServer(async (req, res) => {
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
    } catch {
      return send(res, 400, "bad request\n");
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      return send(res, 405, "method not allowed\n", { Allow: "GET, HEAD" });
    }
    if (urlPath === "/" || urlPath === "/www") {
      return send(res, 302, "", { Location: "/www/" });
    }
    let file = resolve(urlPath);
    if (file === null) return send(res, 404, "not found\n");
    file = await withFallback(urlPath, file);
    try {
      if ((await stat(file)).isDirectory()) {
        if (!urlPath.endsWith("/")) return send(res, 302, "", { Location: urlPath + "/" });
        file = join(file, "index.html");
      }
      const body = await readFile(file);
      res.writeHead(200, {
        "Content-Type": MIME[extname(file)] ?? "application/octet-stream",
        "Content-Length": body.length,
        // A demo under development: always serve the current build.
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
      });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch (error) {
      if (error.code === "ENOENT" || error.code === "ENOTDIR") {
        const hint = urlPath.startsWith("/pkg/dist/") ? " (build the package: bash scripts/build.sh)" : "";
        return send(res, 404, `not found${hint}\n`);
      }
      return send(res, 500, "internal error\n");
    }
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const port = Number(process.env.PORT ?? 8080);
  const server = createStaticServer();
  server.on("error", (error) => {
    console.error(`serve.mjs: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, "127.0.0.1", () => {
    console.log(`serving http://127.0.0.1:${server.address().port}/www/`);
  });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
}
