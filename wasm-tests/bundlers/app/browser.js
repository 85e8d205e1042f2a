import { decide } from "./decide.js";

decide().then(
  (result) => { window.__result = result; },
  (error) => { window.__error = String(error?.stack ?? error); },
);
