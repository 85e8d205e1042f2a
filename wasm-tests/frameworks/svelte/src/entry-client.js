import * as drf from "drf-gate";
import { flushSync, hydrate } from "svelte";
import { instrument } from "../../shared/instrument.js";
import App from "./App.svelte";

if (typeof drf.init === "function") await drf.init();
instrument(drf);
const initial = JSON.parse(document.getElementById("initial").textContent);
window.__hydrationErrors = [];
// Svelte repairs a mismatched block without a word in a production build: the page's markup must
// be the same node for node after hydration as the server sent it.
const root = document.getElementById("root");
const before = root.innerHTML;
hydrate(App, { target: root, props: { initialUser: initial.user, initialPolicy: initial.policy } });
flushSync();
if (root.innerHTML !== before) window.__hydrationErrors.push("the markup changed on hydration");
window.__hydrated = true;
