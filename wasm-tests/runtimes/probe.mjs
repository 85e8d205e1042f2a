// Node (import), Deno, Bun: resolve "drf-gate" through the runtime's own exports conditions.
import * as drf from "drf-gate";
import { decide } from "./decide.js";

console.log(JSON.stringify(await decide(drf)));
