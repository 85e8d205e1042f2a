//! Limits on inputs shared by every build (the JSON core, the edge and the browser runtime);
//! SECURITY.md has the whole table of limits.

/// Most values (objects, arrays, strings, numbers, ...) one JSON input may hold: a policy, a
/// context, a user, an object, a raw-request step (as JSON text, or in the runtime's binary value
/// encoding, `compiled::value`). Every value costs memory in the parsed tree
/// and again in its typed form, and wasm memory never shrinks: beyond this the text is refused
/// while it is read, before anything large is built (a `PolicyError` / `ContextError`).
///
/// ```
/// # #[cfg(feature = "compiler")] {
/// let many = format!("[{}0]", "0,".repeat(drf_gate::json::MAX_JSON_VALUES));
/// let error = drf_gate::json::Json::parse(&many).unwrap_err();
/// assert_eq!(error.message(), "more than 65536 JSON values");
/// # }
/// ```
pub const MAX_JSON_VALUES: usize = 65_536;
