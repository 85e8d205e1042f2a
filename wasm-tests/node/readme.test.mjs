// Every code block of the package README runs here, as a consumer of the packed package, and
// prints what the README says it prints (the `text output` / `text requests` block after it).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { transformSync } from "esbuild";
import { Miniflare } from "miniflare";

import { importMap, launch, serve } from "./browser.mjs";
import { consumerDir, installedDir, repoDir, testsDir } from "./consumer.mjs";
import { bundleWorker, compatibilityDate } from "./worker.mjs";

// The README as packed (what npm shows), not the working copy.
const readme = readFileSync(join(installedDir, "README.md"), "utf8");
const blocks = [...readme.matchAll(/^```(\w+)(?: (\S+))?\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], tag: m[2], code: m[3] }));
const dir = join(consumerDir, "readme");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

/** The blocks tagged `tag`, each with the output block that follows it. */
function examples(tag, outputTag = "output") {
  const found = [];
  blocks.forEach((block, i) => {
    if (block.tag !== tag) return;
    const next = blocks[i + 1];
    assert.ok(next && next.tag === outputTag, `the ${tag} block ${found.length + 1} is followed by a text ${outputTag} block`);
    found.push({ code: block.code, expected: next.code });
  });
  return found;
}

const run = (file) => execFileSync(process.execPath, [file], { cwd: dir, encoding: "utf8" });

test("every README code block is tested", () => {
  const known = new Set(["install", "node-esm", "node-cjs", "typescript", "browser", "worker", "output", "requests", "excerpt"]);
  for (const block of blocks) assert.ok(known.has(block.tag), `untested block: ${block.lang} ${block.tag ?? ""}`);
  assert.deepEqual(blocks.filter((b) => b.tag === "install").map((b) => b.code), ["npm install drf-gate\n"]);
  assert.deepEqual(JSON.parse(readFileSync(join(installedDir, "package.json"), "utf8")).name, "drf-gate");
});

// Excerpts show one call in context (the compiled-policy CLI and loaders, run for real by
// compiled.test.mjs): each JS excerpt must at least parse as a module, each shell excerpt must
// name the package's own CLI.
test("README excerpts parse", () => {
  blocks.forEach((block, i) => {
    if (block.tag !== "excerpt") return;
    if (block.lang === "sh") {
      assert.match(block.code, /^npx drf-gate (compile) /, `excerpt ${i}: ${block.code}`);
      return;
    }
    const file = join(dir, `excerpt-${i}.mjs`);
    // JSX (the React and Next.js excerpts): esbuild's JSX transform, then the same check.
    writeFileSync(file, block.lang === "jsx" ? transformSync(block.code, { loader: "jsx", format: "esm" }).code : block.code);
    execFileSync(process.execPath, ["--check", file], { encoding: "utf8" });
  });
});

describe("Node", () => {
  examples("node-esm").forEach(({ code, expected }, i) => {
    test(`ESM example ${i + 1}`, () => {
      writeFileSync(join(dir, `esm-${i}.mjs`), code);
      assert.equal(run(`esm-${i}.mjs`), expected);
    });
  });
  examples("node-cjs").forEach(({ code, expected }, i) => {
    test(`CommonJS example ${i + 1}`, () => {
      writeFileSync(join(dir, `cjs-${i}.cjs`), code);
      assert.equal(run(`cjs-${i}.cjs`), expected);
    });
  });
  examples("typescript").forEach(({ code, expected }, i) => {
    test(`TypeScript example ${i + 1}: tsc, then run`, () => {
      const tsDir = join(dir, `ts-${i}`);
      mkdirSync(tsDir, { recursive: true });
      writeFileSync(join(tsDir, "example.mts"), code);
      writeFileSync(join(tsDir, "tsconfig.json"), JSON.stringify({ compilerOptions: {
        target: "es2022", module: "node16", moduleResolution: "node16", strict: true, types: [], lib: ["es2022", "dom"],
      }, include: ["example.mts"] }));
      try {
        execFileSync(process.execPath, [join(repoDir, "node_modules", "typescript", "bin", "tsc"), "-p", tsDir], { encoding: "utf8" });
      } catch (error) {
        assert.fail(`tsc failed:\n${error.stdout}${error.stderr}`);
      }
      assert.equal(execFileSync(process.execPath, [join(tsDir, "example.mjs")], { cwd: tsDir, encoding: "utf8" }), expected);
    });
  });
});

describe("browser", () => {
  let browser;
  let server;
  const pages = examples("browser");
  before(async () => {
    server = await serve(consumerDir, Object.fromEntries(pages.map(({ code }, i) => [`/readme-${i}.html`, code])));
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  pages.forEach(({ code, expected }, i) => {
    test(`page ${i + 1} in Chromium`, async () => {
      assert.ok(code.includes(importMap.slice(0, 30)) || code.includes('"drf-gate": "/node_modules/drf-gate/dist/web.js"'));
      const page = await browser.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`${server.url}/readme-${i}.html`);
      await page.waitForFunction(() => document.querySelector("#visible")?.textContent, null, { timeout: 20_000 });
      assert.deepEqual(errors, []);
      assert.equal(await page.textContent("#visible"), expected.trim());
      await page.close();
    });
  });
});

describe("Worker", () => {
  examples("worker", "requests").forEach(({ code, expected }, i) => {
    test(`Worker ${i + 1} in workerd`, async () => {
      const entry = join(dir, `worker-${i}.js`);
      writeFileSync(entry, code);
      const mf = new Miniflare({
        ...(await bundleWorker(entry, `readme-worker-${i}`)),
        compatibilityDate,
        // The origin: every fetch() the Worker passes through lands here.
        outboundService: () => new Response("origin"),
      });
      try {
        for (const line of expected.trim().split("\n")) {
          const [, method, path, want] = line.match(/^(\w+) (\S+) -> (.*)$/);
          const response = await mf.dispatchFetch(`http://localhost${path}`, { method });
          const body = await response.text();
          const got = body === "origin" ? "origin" : `${response.status} ${body}`;
          assert.equal(got, want, line);
        }
      } finally {
        await mf.dispose();
      }
    });
  });
});

// The root README's "Use" example, run as written: each `expression; // value` line is checked
// (`{ a: 1, ... }` compares the keys shown), and `// throws X (code "c")` expects that error.
describe("root README", () => {
  test("the Use example runs and prints what its comments say", () => {
    const root = readFileSync(join(testsDir, "..", "README.md"), "utf8");
    const use = root.slice(root.indexOf("## Use"));
    const code = use.match(/^```js\n([\s\S]*?)^```$/m)?.[1];
    assert.ok(code, "the Use section has a js block");
    let checks = 0;
    const lines = code.split("\n").map((line) => {
      const throws = line.match(/^(.+?);\s*\/\/ throws (\w+) \(code "(\w+)"\)$/);
      if (throws) {
        checks++;
        return `assert.throws(() => ${throws[1]}, { name: ${JSON.stringify(throws[2])}, code: ${JSON.stringify(throws[3])} });`;
      }
      const value = line.match(/^([^/].*?);\s*\/\/ (.+)$/);
      if (!value) return line;
      checks++;
      const partial = /,\s*\.\.\.\s*\}$/.test(value[2]);
      const expected = partial ? value[2].replace(/,\s*\.\.\.\s*\}$/, " }") : value[2];
      return partial
        ? `{ const got = ${value[1]}; const want = (${expected}); assert.deepEqual(Object.fromEntries(Object.keys(want).map((k) => [k, got[k]])), want); }`
        : `assert.deepEqual(${value[1]}, (${expected}));`;
    });
    assert.ok(checks >= 8, `${checks} checked lines`);
    const file = join(dir, "root-use.mjs");
    writeFileSync(file, `import assert from "node:assert/strict";\n${lines.join("\n")}\nconsole.log("ok");\n`);
    assert.equal(run("root-use.mjs"), "ok\n");
  });
});
