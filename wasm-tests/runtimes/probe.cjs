// Node, CommonJS: require("drf-gate").
const drf = require("drf-gate");

import("./decide.js").then(async ({ decide }) => console.log(JSON.stringify(await decide(drf))));
