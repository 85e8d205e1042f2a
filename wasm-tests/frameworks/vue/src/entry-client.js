import * as drf from "drf-gate";
import { createSSRApp } from "vue";
import { instrument } from "../../shared/instrument.js";
import App from "./App.vue";

if (typeof drf.init === "function") await drf.init();
instrument(drf);
const initial = JSON.parse(document.getElementById("initial").textContent);
window.__hydrationErrors = [];
const app = createSSRApp(App, { initialUser: initial.user, initialPolicy: initial.policy });
app.config.warnHandler = (message) => window.__hydrationErrors.push(String(message));
app.mount("#root");
window.__hydrated = true;
