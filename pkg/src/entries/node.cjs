"use strict";
// Node, CommonJS (`require("drf-gate")`): the glue instantiates the .wasm synchronously on load;
// `init()`/`initSync()` are no-ops kept for code shared with browsers.
const wasm = require("./drf_gate.cjs");
const errors = require("./errors.cjs");
const { defineApi } = require("./gate.cjs");
const check = require("./check-resolved.cjs");
const { defineCheckRequest } = require("./check-request.cjs");

const api = defineApi(wasm, { check, checkRequest: defineCheckRequest, ready: true });

module.exports = {
  PolicyError: errors.PolicyError,
  ContextError: errors.ContextError,
  NotInitializedError: errors.NotInitializedError,
  Gate: api.Gate,
  Subject: api.Subject,
  mintCsrfToken: api.mintCsrfToken,
  init: api.init,
  initSync: api.initSync,
  default: api.init,
};
