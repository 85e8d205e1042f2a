// The React UI-gating app as esbuild and Rollup bundle it: `drf-gate/can/inline` (the .wasm inside).
import { Gate } from "drf-gate/can/inline";
import { mountReact } from "./react-gating.js";
import { record } from "./ui.js";

record((users) => mountReact(Gate, document.body.appendChild(document.createElement("div")), users));
