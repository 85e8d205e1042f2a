import { renderToString } from "react-dom/server";
import { App } from "./App.jsx";

export function render(initial) {
  return renderToString(<App initialUser={initial.user} initialPolicy={initial.policy} inPlace={initial.inPlace === true} />);
}
