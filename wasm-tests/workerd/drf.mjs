// The sample DRF server (examples/blog/server) on loopback, from a fresh SQLite file: its venv
// (made by setup.sh if missing), migrate, seed_blog, the Worker's KV dump, the policy with the JWT
// signing key, then `runserver` with every request rolled back (drf/rollback_settings.py).
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, "..", "..");
export const serverDir = join(root, "examples", "blog", "server");

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the server; resolves to `{ url, kv, signingKey, policy, stop() }`. `settings`: another
 * settings module under drf/ (default rollback_settings), `env`: more environment variables.
 */
export async function startDrf({ scratch, log = () => {}, settings = "rollback_settings", env: extra = {} }) {
  const python = execFileSync("bash", [join(serverDir, "setup.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  mkdirSync(scratch, { recursive: true });
  const db = join(scratch, "blog.sqlite3");
  rmSync(db, { force: true });
  const env = { ...process.env, ...extra, BLOG_DB_PATH: db, PYTHONDONTWRITEBYTECODE: "1" };
  const manage = (...args) => execFileSync(python, ["manage.py", ...args], { cwd: serverDir, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  manage("migrate", "--verbosity", "0");
  manage("seed_blog");
  manage("worker_kv", "--sessions", "--output", join(scratch, "kv.json"));
  manage("drfgate_export", "--include-secrets", "--output", join(scratch, "policy-secrets.json"));
  manage("drfgate_export", "--output", join(scratch, "policy.json"));
  const kv = JSON.parse(readFileSync(join(scratch, "kv.json"), "utf8"));
  const secrets = JSON.parse(readFileSync(join(scratch, "policy-secrets.json"), "utf8"));
  const committed = readFileSync(join(root, "examples", "blog", "policy.json"), "utf8");
  const exported = readFileSync(join(scratch, "policy.json"), "utf8");
  if (committed !== exported) log("warning: examples/blog/policy.json differs from a fresh drfgate_export");

  const port = await freePort();
  const child = spawn(python, ["manage.py", "runserver", `127.0.0.1:${port}`, "--noreload", "--nothreading"], {
    cwd: serverDir,
    env: { ...env, DJANGO_SETTINGS_MODULE: settings, PYTHONPATH: join(here, "drf") },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the DRF server exited:\n${stderr}`);
    try {
      if ((await fetch(`${url}/api/health/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 200) throw new Error(`the DRF server did not start:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    kv,
    signingKey: secrets.settings.jwt.signingKey,
    policy: secrets,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", resolve);
      child.kill("SIGTERM");
    }),
  };
}
