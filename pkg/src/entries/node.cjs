"use strict";
// Node, CommonJS (`require("drf-gate")`): the glue instantiates the .wasm synchronously on load.
const glue = require("./drf_gate.cjs");
const errors = require("./errors.cjs");
require("./request.cjs").install(glue.Gate, glue.Subject);

/** Already initialised under Node; kept for code shared with browsers. */
async function init() {}
/** Already initialised under Node; kept for code shared with browsers. */
function initSync() {}

module.exports = { ...glue, ...errors, init, initSync, default: init };
