// Headless Chromium (Debian's chromium through playwright-core) and a static server on
// 127.0.0.1 for the consumer project, so a page loads drf-gate as a site would.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";

import { chromium } from "playwright-core";

export const executablePath = "/usr/bin/chromium";
const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];

function ensureChromium() {
  if (existsSync(executablePath)) return;
  // A fresh machine: Debian's package (run as root, as CI does).
  execFileSync("apt-get", ["update"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "chromium"], { stdio: "inherit" });
}

export async function launch() {
  ensureChromium();
  return chromium.launch({ executablePath, args });
}

const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

/** Serves `root` on 127.0.0.1; `pages` maps extra paths to HTML text. */
export async function serve(root, pages = {}) {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://127.0.0.1").pathname);
    if (path in pages) {
      response.writeHead(200, { "content-type": "text/html" }).end(pages[path]);
      return;
    }
    const file = normalize(join(root, path));
    if (!file.startsWith(root) || !existsSync(file)) {
      response.writeHead(404).end("not found");
      return;
    }
    response.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** The import map a plain page uses to load the installed package's browser entry. */
export const importMap = `<script type="importmap">{"imports": {"drf-gate": "/node_modules/drf-gate/dist/web.js"}}</script>`;
/** The same for the edge build (`drf-gate/web-edge`). */
export const importMapEdge = `<script type="importmap">{"imports": {"drf-gate": "/node_modules/drf-gate/dist/web-edge.js"}}</script>`;
