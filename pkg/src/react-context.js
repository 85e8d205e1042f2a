// The one React context of drf-gate/react and drf-gate/can/react: a provider of either serves the
// hooks and <Can> of both (an app, or a library and the app using it, may mix the entries; the
// nearest provider answers, as with one entry).
import { createContext } from "react";

/** `{ gate, user, who }` of the nearest `GateProvider`, `null` without one. */
export const GateContext = createContext(null);
