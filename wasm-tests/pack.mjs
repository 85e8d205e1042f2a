// Packs pkg/ with `npm pack` and installs the tarball into a fresh consumer project,
// .scratch/consumer, exactly as a user's project gets it. The tests load drf-gate from there.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const scratch = join(here, ".scratch");
const consumer = join(scratch, "consumer");
const npm = (args, cwd) => execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, encoding: "utf8" });

mkdirSync(scratch, { recursive: true });
rmSync(consumer, { recursive: true, force: true });
mkdirSync(consumer, { recursive: true });

const [packed] = JSON.parse(npm(["pack", join(here, "..", "pkg"), "--json", "--pack-destination", scratch], here));
writeFileSync(join(scratch, "pack.json"), JSON.stringify(packed, null, 2));
writeFileSync(
  join(consumer, "package.json"),
  JSON.stringify({ name: "consumer", private: true, type: "module", dependencies: { "drf-gate": `file:../${packed.filename}` } }, null, 2),
);
npm(["install", "--prefer-offline"], consumer);
// How a consumer loads it: `import` and `require`, resolved by Node from the consumer project.
writeFileSync(join(consumer, "esm.mjs"), 'export * from "drf-gate";\nexport { default } from "drf-gate";\n');
writeFileSync(join(consumer, "cjs.cjs"), 'module.exports = require("drf-gate");\n');
console.log(`packed ${packed.filename}: ${packed.size} bytes, ${packed.entryCount} files; installed into ${consumer}`);
