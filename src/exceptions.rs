//! `rest_framework/exceptions.py`: the exceptions a request decision can raise, with DRF's
//! default details, codes and status codes, pre-rendered as DRF's `JSONRenderer` sends them.

use crate::renderers::write_json_string;

/// Which method a `MethodNotAllowed` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RaisedFor {
    /// The request's method is not in `perms_map`.
    RequestMethod,
    /// `GET` is not in `perms_map` (`DjangoObjectPermissions` asks for read permissions).
    ReadCheck,
}

/// An exception raised inside a permission check; it escapes every `&` `|` `~` unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Raise {
    /// `MethodNotAllowed(method)` from `get_required_permissions`: 405.
    MethodNotAllowed(RaisedFor),
    /// `Http404` from `DjangoObjectPermissions`: 404 `Not found.`.
    NotFound,
    /// Anything else (a condition's AttributeError/TypeError): DRF answers 500.
    Error(String),
    /// Not an exception of DRF's: the check needs a fact only a lookup (or the origin) has
    /// (`HasAPIKey` at the edge). The caller that gave the fact source knows why, and never
    /// returns the decision built around it.
    Undecided,
}

/// `NotAuthenticated` (401, or 403 when the first authentication class has no header).
pub mod not_authenticated {
    /// `default_detail`.
    pub const DETAIL: &str = "Authentication credentials were not provided.";
    /// The rendered body.
    pub const BODY: &str = r#"{"detail":"Authentication credentials were not provided."}"#;
    /// `default_code`.
    pub const CODE: &str = "not_authenticated";
}

/// `AuthenticationFailed` (401, or 403 when the first authentication class has no header).
pub mod authentication_failed {
    /// `default_detail`.
    pub const DETAIL: &str = "Incorrect authentication credentials.";
    /// `default_code`.
    pub const CODE: &str = "authentication_failed";
}

/// `PermissionDenied` (403).
pub mod permission_denied {
    /// `default_detail`.
    pub const DETAIL: &str = "You do not have permission to perform this action.";
    /// The rendered body.
    pub const BODY: &str = r#"{"detail":"You do not have permission to perform this action."}"#;
    /// `default_code`.
    pub const CODE: &str = "permission_denied";
}

/// `NotFound` (404), also what a bare `Http404` becomes.
pub mod not_found {
    /// The rendered body of a bare `Http404` (`DjangoObjectPermissions`, bad lookup values).
    pub const BODY: &str = r#"{"detail":"Not found."}"#;
    /// `default_code`.
    pub const CODE: &str = "not_found";
}

/// `MethodNotAllowed` (405).
pub mod method_not_allowed {
    /// `default_code`.
    pub const CODE: &str = "method_not_allowed";
}

/// `ParseError` (400).
pub mod parse_error {
    /// `default_code`.
    pub const CODE: &str = "parse_error";
}

/// `APIException`'s default body, sent when a check fails to evaluate (a DRF server would answer
/// with Django's own 500 page; drf-gate fails closed).
pub const SERVER_ERROR_BODY: &str = r#"{"detail":"A server error occurred."}"#;

/// `NotAcceptable` (406), rendered compactly by the first renderer (JSON).
pub const NOT_ACCEPTABLE_BODY: &str = r#"{"detail":"Could not satisfy the request Accept header."}"#;

/// `NotAcceptable`'s `default_code`.
pub const NOT_ACCEPTABLE: &str = "not_acceptable";

/// `UnsupportedMediaType`'s `default_code` (415).
pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";

/// Django's own `400 Bad Request` page (not DRF's JSON): the origin renders it.
pub const BAD_REQUEST: &str = "bad_request";

/// The reference server would crash (Django's 500 page): the origin renders it.
pub const SERVER_ERROR: &str = "server_error";

/// The code of a permission condition that failed to evaluate (a DRF server answers 500).
pub const EVALUATION_ERROR: &str = "evaluation_error";

/// `MethodNotAllowed(method)`'s body: `{"detail":"Method \"PUT\" not allowed."}`.
///
/// ```
/// assert_eq!(drf_gate::exceptions::method_not_allowed_body("FOO"), r#"{"detail":"Method \"FOO\" not allowed."}"#);
/// ```
pub fn method_not_allowed_body(method: &str) -> String {
    let mut detail = String::with_capacity(method.len() + 20);
    detail.push_str("Method \"");
    detail.push_str(method);
    detail.push_str("\" not allowed.");
    let mut body = String::with_capacity(detail.len() + 16);
    body.push_str("{\"detail\":");
    write_json_string(&mut body, &detail);
    body.push('}');
    body
}

/// The body of `Http404("No %s matches the given query." % model._meta.object_name)`, which
/// `get_object_or_404` raises on a lookup miss.
///
/// ```
/// assert_eq!(drf_gate::exceptions::no_match_body("Post"), r#"{"detail":"No Post matches the given query."}"#);
/// ```
pub fn no_match_body(object_name: &str) -> String {
    crate::renderers::render_detail_text(&crate::text::cat!("No ", object_name, " matches the given query."))
}
