// The blog's edge as `withGuard(null, options)`: denials answered here, the rest sent to env.ORIGIN.
import { withGuard } from "drf-gate/guard";

import { policy, resolvers } from "../../../examples/blog/worker/src/edge.js";

export default { fetch: withGuard(null, { policy, resolvers }) };
