// Reading a page's gated controls in Chromium and comparing them with the package's own
// decisions (shared/expected.mjs): one definition for run.mjs (Vite apps) and next.mjs (Next.js).

/**
 * Every `[data-control]` (under `scope`, a selector, when given) in document order: its post,
 * control and state (and a publish tooltip).
 */
export const readControls = (page, scope = "") =>
  page.$$eval(`${scope} [data-control]`.trim(), (nodes) =>
    nodes.map((el) => {
      const control = el.dataset.control;
      const out = { post: el.closest("[data-post]")?.dataset.post ?? null, control };
      out.state = ["create", "destroy", "publish"].includes(control) ? (el.disabled ? "disabled" : "enabled") : el.dataset.state;
      if (control === "publish") out.title = el.getAttribute("title") ?? "";
      return out;
    }),
  );

/** One `check` per control, and one for their count. */
export function compareControls(check, label, shown, want) {
  check(`${label}: ${want.length} controls rendered`, shown.length === want.length, `${shown.length} vs ${want.length}`);
  for (const [index, expected] of want.entries()) {
    const got = shown[index];
    const name = `${label}: post ${expected.post ?? "-"} ${expected.control}`;
    check(name, JSON.stringify(got) === JSON.stringify(expected), `${JSON.stringify(got)} vs ${JSON.stringify(expected)}`);
  }
}

/**
 * Named checks: `check(name, ok, detail)` prints a failure (every check with VERBOSE=1);
 * `finish(label)` prints the failures and `label: N checks, N passed`, and exits 1 on a failure.
 */
export function checker() {
  const verbose = process.env.VERBOSE === "1";
  let count = 0;
  const failures = [];
  const check = (name, ok, detail = "") => {
    count += 1;
    if (!ok) failures.push(`${name}${detail ? `: ${detail}` : ""}`);
    if (verbose || !ok) console.log(`${ok ? "ok  " : "FAIL"} ${name}${!ok && detail ? `\n     ${detail}` : ""}`);
  };
  const finish = (label, extra = "") => {
    for (const failure of failures) console.log(`FAILED: ${failure}`);
    console.log(`${label}: ${count} checks, ${count - failures.length} passed${extra}`);
    process.exit(failures.length === 0 ? 0 : 1);
  };
  return { check, finish };
}
