import * as drf from "drf-gate";
import { hydrateRoot } from "react-dom/client";
import { instrument } from "../../shared/instrument.js";
import { App } from "./App.jsx";

if (typeof drf.init === "function") await drf.init();
instrument(drf);
const initial = JSON.parse(document.getElementById("initial").textContent);
window.__hydrationErrors = [];
hydrateRoot(document.getElementById("root"), <App initialUser={initial.user} initialPolicy={initial.policy} inPlace={initial.inPlace === true} />, {
  onRecoverableError: (error) => window.__hydrationErrors.push(String(error?.message ?? error)),
});
window.__hydrated = true;
