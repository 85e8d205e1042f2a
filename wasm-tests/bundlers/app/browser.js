import { decide, jsonPolicy } from "./decide.js";

decide().then(
  (result) => { window.__jsonPolicy = jsonPolicy(); window.__result = result; },
  (error) => { window.__error = String(error?.stack ?? error); },
);
