import { createSSRApp } from "vue";
import { renderToString } from "vue/server-renderer";
import App from "./App.vue";

export function render(initial) {
  return renderToString(createSSRApp(App, { initialUser: initial.user, initialPolicy: initial.policy }));
}
