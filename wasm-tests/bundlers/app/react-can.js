// The React UI-gating app as webpack and Vite bundle it: `drf-gate/can` (the .wasm next to the module).
import { Gate } from "drf-gate/can";
import { mountReact } from "./react-gating.js";
import { record } from "./ui.js";

record((users) => mountReact(Gate, document.body.appendChild(document.createElement("div")), users));
