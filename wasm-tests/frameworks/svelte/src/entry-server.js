import { render as renderSvelte } from "svelte/server";
import App from "./App.svelte";

export function render(initial) {
  return renderSvelte(App, { props: { initialUser: initial.user, initialPolicy: initial.policy } }).body;
}
