// The blog's edge as `withGuard(null, options)`: denials answered here, the rest sent to env.ORIGIN.
import { withGuard } from "drf-gate/guard";

import { guardOptions } from "../../../examples/blog/worker/src/options.js";

// The view stage only (no loadObject): the test compares it with the view-stage Worker.
const { loadObject, prefetchObject, ...viewStage } = guardOptions;
export default { fetch: withGuard(null, viewStage) };
