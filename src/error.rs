//! Errors are values with a stable `code` and a location, so a caller (or a JS `Error`) can say
//! exactly what is wrong and where.

use std::fmt;

use serde::Serialize;

/// Declares a code enum: each variant with its stable string, `ALL`, `as_str`, `Display`, and
/// comparison with a `&str` (so `assert_eq!(code, "cycle")` reads naturally).
macro_rules! error_codes {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every code, in declaration order: the one list the TypeScript union
            /// (`pkg/src`) and the table in `docs/policy.md` are checked against.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable string (`snake_case`) callers switch on.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

error_codes! {
    /// The codes of [`PolicyError`].
    ///
    /// ```
    /// use drf_gate::error::PolicyErrorCode;
    /// assert_eq!(PolicyErrorCode::UnknownClass.as_str(), "unknown_class");
    /// assert!(PolicyErrorCode::ALL.contains(&PolicyErrorCode::Cycle));
    /// ```
    PolicyErrorCode {
        /// The policy text is not JSON (with line and column in the document).
        InvalidJson = "invalid_json",
        /// Unknown keys, wrong types, contradictions in the policy.
        InvalidPolicy = "invalid_policy",
        /// An authentication setting (`settings`: JWT algorithm and keys, CSRF origins, ...).
        InvalidSettings = "invalid_settings",
        /// A permission class that is neither built in nor declared in `classes`.
        UnknownClass = "unknown_class",
        /// An authentication class that is neither built in nor declared.
        UnknownAuthenticationClass = "unknown_authentication_class",
        /// Permission classes that refer to each other in a cycle.
        Cycle = "cycle",
        /// An expression or condition that does not parse.
        SyntaxError = "syntax_error",
        /// A condition that compares or calls what cannot be (`obj.x < 'a' + 1`).
        TypeError = "type_error",
        /// A condition naming what its scope does not have (`obj` in `hasPermission`).
        UnknownName = "unknown_name",
        /// A `permsMap` that is not DRF's shape.
        InvalidPermsMap = "invalid_perms_map",
        /// `DjangoModelPermissions` on a view without `model`.
        MissingModel = "missing_model",
        /// A route naming a view the policy does not have.
        UnknownView = "unknown_view",
        /// A route naming an action its view does not have.
        UnknownAction = "unknown_action",
        /// A class in `middleware.classes` drf-gate does not model and the project did not
        /// declare transparent.
        UnknownMiddleware = "unknown_middleware",
        /// A compiled policy of another format version (`Gate::from_compiled`).
        IncompatibleCompiledPolicy = "incompatible_compiled_policy",
        /// Bytes that are not an intact compiled policy (truncated, corrupted, foreign).
        CorruptCompiledPolicy = "corrupt_compiled_policy",
    }
}

error_codes! {
    /// The codes of [`ContextError`].
    ///
    /// ```
    /// use drf_gate::error::ContextErrorCode;
    /// assert_eq!(ContextErrorCode::UnknownView.to_string(), "unknown_view");
    /// ```
    ContextErrorCode {
        /// A context that is not JSON, has unknown keys or wrong types, or contradicts itself.
        InvalidContext = "invalid_context",
        /// A view the policy does not have.
        UnknownView = "unknown_view",
        /// An action the view does not have, or a route it does not have.
        UnknownAction = "unknown_action",
        /// `detail` contradicts the action's route.
        MethodMismatch = "method_mismatch",
        /// A succeeded authentication class that is not among the view's classes.
        UnknownAuthenticationClass = "unknown_authentication_class",
        /// Raw requests: the policy's settings cannot run the view's classes (a JWT class without
        /// a key).
        InvalidSettings = "invalid_settings",
        /// Raw requests: a request that cannot be read (bad header names or values, body encoding).
        InvalidRequest = "invalid_request",
    }
}

error_codes! {
    /// The codes of [`InputError`](crate::authentication::InputError): settings and raw requests.
    ///
    /// ```
    /// assert_eq!(drf_gate::error::InputErrorCode::InvalidRequest.as_str(), "invalid_request");
    /// ```
    InputErrorCode {
        /// An authentication setting.
        InvalidSettings = "invalid_settings",
        /// A raw request.
        InvalidRequest = "invalid_request",
    }
}

impl From<InputErrorCode> for ContextErrorCode {
    fn from(code: InputErrorCode) -> Self {
        match code {
            InputErrorCode::InvalidSettings => ContextErrorCode::InvalidSettings,
            InputErrorCode::InvalidRequest => ContextErrorCode::InvalidRequest,
        }
    }
}

/// A policy that cannot be compiled. Nothing about it reaches decision time.
///
/// ```
/// let err = drf_gate::Gate::from_json(r#"{"permissions": ["IsAuthenticated &"]}"#).unwrap_err();
/// assert_eq!(err.code, "syntax_error");
/// assert_eq!(err.path, "$.permissions[0]");
/// assert_eq!((err.line, err.column), (Some(1), Some(18)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyError {
    /// A stable code, one of [`PolicyErrorCode`] (its `as_str`).
    pub code: &'static str,
    /// What is wrong and what was expected.
    pub message: String,
    /// A JSON path into the policy (`$.views.posts.permissions[1]`).
    pub path: String,
    /// 1-based line: inside the expression for expression errors, in the document for JSON errors.
    pub line: Option<u32>,
    /// 1-based column, likewise.
    pub column: Option<u32>,
}

impl PolicyError {
    pub(crate) fn new(code: PolicyErrorCode, path: impl Into<String>, message: impl Into<String>) -> Self {
        PolicyError { code: code.as_str(), message: message.into(), path: path.into(), line: None, column: None }
    }

    #[cfg_attr(not(feature = "compiler"), allow(dead_code))]
    pub(crate) fn at(mut self, line: u32, column: u32) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.message, self.path)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, " (line {line}, column {column})")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

/// A request context that does not fit the policy (an unknown view, a malformed user, ...).
///
/// ```
/// let gate = drf_gate::Gate::from_json(r#"{"views": {"posts": {}}}"#).unwrap();
/// let err = gate.check_json(r#"{"view": "comments", "method": "GET"}"#).unwrap_err();
/// assert_eq!(err.code, "unknown_view");
/// assert_eq!(err.path, "$.view");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextError {
    /// A stable code, one of [`ContextErrorCode`] (its `as_str`).
    pub code: &'static str,
    /// What is wrong and what was expected.
    pub message: String,
    /// A JSON path into the context.
    pub path: String,
}

impl ContextError {
    pub(crate) fn new(code: ContextErrorCode, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::of(code, path.into(), message.into())
    }

    // Not generic: one copy, however the callers hold their texts.
    fn of(code: ContextErrorCode, path: String, message: String) -> Self {
        // Bounded: messages and paths may quote the caller's input (a key, a name).
        ContextError { code: code.as_str(), message: crate::error::bounded(message), path: crate::error::bounded(path) }
    }
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.message, self.path)
    }
}

impl std::error::Error for ContextError {}

/// How much of a caller's text a [`ContextError`](crate::ContextError) message quotes, in
/// bytes of UTF-8: a name is for recognising the input, and a 1 MB view name must not make a
/// 1 MB message.
pub const MAX_QUOTED_INPUT: usize = 80;

/// The longest message or path a [`ContextError`](crate::ContextError) carries, in bytes of
/// UTF-8 (a bound on what any message quotes, serde's included).
pub const MAX_ERROR_TEXT: usize = 1024;

/// `input` quoted for an error message: `` `name` `` whole when at most [`MAX_QUOTED_INPUT`]
/// bytes, else its first bytes (whole characters), `…` and its length.
///
/// ```
/// use drf_gate::error::quoted;
/// assert_eq!(quoted("posts"), "`posts`");
/// assert_eq!(quoted(&"a".repeat(1 << 20)), format!("`{}…` (1048576 bytes)", "a".repeat(80)));
/// ```
pub fn quoted(input: &str) -> String {
    if input.len() <= MAX_QUOTED_INPUT {
        return crate::text::cat!('`', input, '`');
    }
    crate::text::cat!('`', head(input, MAX_QUOTED_INPUT), "…` (", input.len(), " bytes)")
}

/// `text` cut to at most [`MAX_ERROR_TEXT`] bytes (whole characters), then `…` and its length.
///
/// ```
/// use drf_gate::error::bounded;
/// assert_eq!(bounded("short".into()), "short");
/// assert!(bounded("é".repeat(1 << 20)).ends_with("é… (2097152 bytes in all)"));
/// ```
pub fn bounded(text: String) -> String {
    if text.len() <= MAX_ERROR_TEXT {
        return text;
    }
    crate::text::cat!(head(&text, MAX_ERROR_TEXT), "… (", text.len(), " bytes in all)")
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn head(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}
