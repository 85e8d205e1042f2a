// Entry point: loads the package the way a browser app does (ES module + async init of the
// .wasm), then starts the demo and the playground. The playground compiles the JSON a visitor
// types, so this page imports the JSON core explicitly (`drf-gate/web`), not the browser default
// (`drf-gate` in a browser is the runtime, which loads compiled policies only).
import init, { Gate } from "../pkg/dist/web.js";
import { gateDom } from "../pkg/dist/dom.js";
import { startDemo } from "./demo.js";
import { startPlayground } from "./playground.js";

const status = document.getElementById("load-status");

async function fetchText(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

// Tabs: a link per panel (the URL hash keeps the choice), arrow keys move between them.
function setupTabs(onShow) {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  const show = (id, focus) => {
    for (const tab of tabs) {
      const selected = tab.getAttribute("aria-controls") === id;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      document.getElementById(tab.getAttribute("aria-controls")).hidden = !selected;
      if (selected && focus) tab.focus();
    }
    onShow(id);
  };
  const fromHash = () => (location.hash === "#playground" ? "playground" : "demo");
  for (const [index, tab] of tabs.entries()) {
    tab.addEventListener("click", (event) => {
      event.preventDefault();
      const id = tab.getAttribute("aria-controls");
      history.replaceState(null, "", `#${id}`);
      show(id, false);
    });
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      event.preventDefault();
      const next = tabs[(index + step + tabs.length) % tabs.length];
      const id = next.getAttribute("aria-controls");
      history.replaceState(null, "", `#${id}`);
      show(id, true);
    });
  }
  window.addEventListener("hashchange", () => show(fromHash(), false));
  show(fromHash(), false);
}

async function main() {
  try {
    await init();
  } catch (error) {
    status.textContent = `Could not load drf_gate_core_bg.wasm: ${error.message}. Build the package (bash scripts/build.sh).`;
    status.classList.add("failed");
    throw error;
  }
  const policyText = await fetchText("../examples/blog/policy.json");
  const demo = startDemo({ Gate, gateDom, policyText });
  const playground = await startPlayground({ Gate, fetchText });
  setupTabs((id) => (id === "playground" ? playground.shown() : demo.shown()));
  status.textContent = `Policy engine ready: ${demo.gate.views.length} views in the sample blog policy.`;
  document.documentElement.dataset.ready = "true";
}

main().catch((error) => {
  status.textContent = `Error: ${error.message}`;
  status.classList.add("failed");
  // Shown on the page; re-thrown so that it is not silent in the console either.
  throw error;
});
