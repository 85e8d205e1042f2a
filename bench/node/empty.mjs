// An empty module: bench/node/start.mjs's `loader` row imports it to time Node's own first-import
// set-up (the ESM loader's resolve, read, parse, link, evaluate), which every engine's import pays too.
export const empty = true;
