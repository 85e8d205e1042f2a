// The front-end test apps (frameworks/, bundlers/, runtimes/) are members of the root npm
// workspace for their tools (Vite, React, esbuild, wrangler, ...), but must see drf-gate as a
// user's app does: the published tarball, not the workspace's symlink to pkg/ (a symlinked
// package resolves its own imports, `react` and `vue`, from its real path outside the app, and
// would expose files `files` leaves out). So each app packs pkg/ with `npm pack` and unpacks the
// tarball into its own node_modules/drf-gate, which is what `npm install drf-gate` puts there
// (drf-gate has no dependencies to install; its optional peers react/vue are the app's own).
// The app's node_modules/drf-gate is found before the root's link when Node and the bundlers
// resolve "drf-gate" from the app's files.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), "..", "pkg");
/** Files every published tarball must carry (the licences are copied into pkg/ by the build). */
export const REQUIRED = ["package.json", "README.md", "LICENSE-MIT", "LICENSE-APACHE"];

/** Packs pkg/ and unpacks it as `<appDir>/node_modules/drf-gate`; returns npm's pack summary. */
export function installPacked(appDir) {
  const scratch = mkdtempSync(join(tmpdir(), "drf-gate-pack-"));
  try {
    const [packed] = JSON.parse(
      execFileSync("npm", ["pack", pkgDir, "--json", "--pack-destination", scratch, "--loglevel=error"], {
        cwd: appDir,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      }),
    );
    const names = new Set(packed.files.map((file) => file.path));
    const missing = REQUIRED.filter((file) => !names.has(file));
    if (missing.length > 0) throw new Error(`npm pack pkg/ lacks ${missing.join(", ")} (run bash scripts/build.sh)`);
    const target = join(appDir, "node_modules", "drf-gate");
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    // npm's tarballs hold everything under package/.
    execFileSync("tar", ["-xzf", join(scratch, packed.filename), "-C", target, "--strip-components=1"]);
    if (!existsSync(join(target, "package.json"))) throw new Error(`unpacking ${packed.filename} gave no package.json`);
    return packed;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
