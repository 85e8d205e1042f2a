//! URL routing as DRF's routers lay it out: `/posts/` (list route), `/posts/{pk}/` (detail route),
//! `/posts/{pk}/publish/` (an `@action` route). Patterns come from the policy's `routes`.
//!
//! Matching is exact, on the percent-decoded path as Django matches `path_info`: a path that
//! matches nothing (including one missing its trailing slash, which Django's `APPEND_SLASH`
//! redirects) is not DRF's to decide here, so the edge passes it through untouched. A parameter
//! matches what Django's pattern matches, no more: `{pk}` DRF's default lookup regex, `{pk:int}`
//! and the other path converters theirs (a URL Django does not resolve is its own 404 page).

#[cfg(feature = "compiler")]
use crate::error::{PolicyError, PolicyErrorCode};
#[cfg(feature = "compiler")]
use crate::policy::RouteSpec;

#[cfg(feature = "compiler")]
const STANDARD_ACTION_NAMES: [&str; 6] = ["list", "create", "retrieve", "update", "partial_update", "destroy"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Segment {
    Literal(String),
    /// `{name}` or `{name:converter}`: one path segment of the parameter's form.
    Parameter(String, ParameterForm),
}

/// What one URL parameter matches, as Django's pattern for it does (one segment, never `/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ParameterForm {
    /// `{name}`: `[^/.]+`, DRF's default `lookup_value_regex`.
    Lookup,
    /// `{name:int}`: Django's `int` converter, `[0-9]+`.
    Int,
    /// `{name:str}`: Django's `str` converter (a `path()` parameter's default), `[^/]+`.
    Str,
    /// `{name:slug}`: Django's `slug` converter, `[-a-zA-Z0-9_]+`.
    Slug,
    /// `{name:uuid}`: Django's `uuid` converter, lower-case hex in 8-4-4-4-12 groups.
    Uuid,
}

impl ParameterForm {
    /// The compiled policy's segment kind (0 is a literal; 1, `{name}`, is what every version wrote).
    #[cfg(feature = "compiler")]
    pub(crate) fn wire_kind(self) -> u8 {
        match self {
            ParameterForm::Lookup => 1,
            ParameterForm::Int => 2,
            ParameterForm::Str => 3,
            ParameterForm::Slug => 4,
            ParameterForm::Uuid => 5,
        }
    }

    /// The form of a compiled segment kind other than 0.
    pub(crate) fn from_wire_kind(kind: u8) -> Option<ParameterForm> {
        match kind {
            1 => Some(ParameterForm::Lookup),
            2 => Some(ParameterForm::Int),
            3 => Some(ParameterForm::Str),
            4 => Some(ParameterForm::Slug),
            5 => Some(ParameterForm::Uuid),
            _ => None,
        }
    }

    #[cfg(feature = "compiler")]
    fn from_converter(name: &str) -> Option<ParameterForm> {
        match name {
            "int" => Some(ParameterForm::Int),
            "str" => Some(ParameterForm::Str),
            "slug" => Some(ParameterForm::Slug),
            "uuid" => Some(ParameterForm::Uuid),
            _ => None,
        }
    }

    /// Whether a decoded path segment matches (Python's `re` over `str`: `[0-9]` is ASCII only).
    fn accepts(self, part: &str) -> bool {
        match self {
            ParameterForm::Lookup => !part.is_empty() && !part.contains('.'),
            ParameterForm::Int => !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()),
            ParameterForm::Str => !part.is_empty(),
            ParameterForm::Slug => {
                !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }
            ParameterForm::Uuid => {
                part.len() == 36
                    && part.bytes().enumerate().all(|(i, b)| match i {
                        8 | 13 | 18 | 23 => b == b'-',
                        _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
                    })
            }
        }
    }
}

/// A compiled route.
#[derive(Clone, Debug)]
pub(crate) struct Route {
    pub(crate) segments: Vec<Segment>,
    pub(crate) trailing_slash: bool,
    pub view: String,
    pub detail: bool,
    pub action: Option<String>,
}

/// Where a URL goes.
///
/// ```
/// let gate = drf_gate::Gate::from_json(r#"{
///   "views": {"posts": {"actions": {"list": {}, "retrieve": {}, "publish": {"detail": true, "methods": ["POST"]}}}},
///   "routes": [
///     {"pattern": "/api/posts/", "view": "posts"},
///     {"pattern": "/api/posts/{pk}/", "view": "posts", "detail": true},
///     {"pattern": "/api/posts/{pk}/publish/", "view": "posts", "action": "publish"},
///     {"pattern": "/api/ids/{pk:int}/", "view": "posts", "detail": true}
///   ]}"#).unwrap();
/// let hit = gate.route("/api/posts/7/publish/").unwrap();
/// assert_eq!((hit.view, hit.action, hit.detail), ("posts", Some("publish"), true));
/// assert_eq!(hit.params, [("pk", "7".to_string())]);
/// assert!(gate.route("/api/posts").is_none()); // Django's APPEND_SLASH redirect: not ours
/// assert!(gate.route("/api/posts/7.json/").is_none());
/// assert!(gate.route("/api/ids/abc/").is_none()); // `<int:pk>` does not match: Django's 404 page
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteMatch<'g> {
    /// The view.
    pub view: &'g str,
    /// The `@action`, for action routes.
    pub action: Option<&'g str>,
    /// Whether this is a detail route (or a detail `@action`).
    pub detail: bool,
    /// The URL parameters (`pk`), percent-decoded.
    pub params: Vec<(&'g str, String)>,
}

impl Route {
    #[cfg(feature = "compiler")]
    pub(crate) fn compile(spec: &RouteSpec, path: &str) -> Result<Route, PolicyError> {
        let pattern = spec.pattern.as_str();
        let Some(rest) = pattern.strip_prefix('/') else {
            return Err(PolicyError::new(
                PolicyErrorCode::InvalidPolicy,
                format!("{path}.pattern"),
                format!("route pattern `{pattern}` should start with `/`"),
            ));
        };
        let trailing_slash = rest.ends_with('/') || rest.is_empty();
        let body = rest.strip_suffix('/').unwrap_or(rest);
        let mut segments = Vec::new();
        if !body.is_empty() {
            for part in body.split('/') {
                if part.is_empty() {
                    return Err(PolicyError::new(
                        PolicyErrorCode::InvalidPolicy,
                        format!("{path}.pattern"),
                        format!("route pattern `{pattern}` has an empty segment"),
                    ));
                }
                let segment = match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                    Some(inner) => {
                        let (name, form) = match inner.split_once(':') {
                            None => (inner, Some(ParameterForm::Lookup)),
                            Some((name, converter)) => (name, ParameterForm::from_converter(converter)),
                        };
                        let named = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
                        let Some(form) = form.filter(|_| named) else {
                            let hint = "use `{name}` or `{name:int|str|slug|uuid}`";
                            return Err(PolicyError::new(
                                PolicyErrorCode::InvalidPolicy,
                                format!("{path}.pattern"),
                                format!("`{part}` is not a valid parameter; {hint}"),
                            ));
                        };
                        Segment::Parameter(name.to_owned(), form)
                    }
                    None if part.contains(['{', '}']) => {
                        return Err(PolicyError::new(
                            PolicyErrorCode::InvalidPolicy,
                            format!("{path}.pattern"),
                            format!("`{part}`: a parameter must be a whole segment"),
                        ));
                    }
                    None => Segment::Literal(part.to_owned()),
                };
                segments.push(segment);
            }
        }
        // A route whose method map names a custom action is that action's route.
        let action = spec.action.clone().or_else(|| {
            spec.actions.as_ref().and_then(|map| {
                map.0
                    .iter()
                    .map(|(_, action)| action)
                    .find(|action| !STANDARD_ACTION_NAMES.contains(&action.as_str()))
                    .cloned()
            })
        });
        let has_parameter = segments.iter().any(|s| matches!(s, Segment::Parameter(..)));
        Ok(Route {
            segments,
            trailing_slash,
            view: spec.view.clone(),
            detail: spec.detail || (action.is_some() && has_parameter),
            action,
        })
    }

    /// Matches a decoded path; returns the parameters.
    fn matches<'r>(&'r self, path: &str) -> Option<Vec<(&'r str, String)>> {
        let rest = path.strip_prefix('/')?;
        let body = if self.trailing_slash {
            rest.strip_suffix('/').or(if rest.is_empty() { Some("") } else { None })?
        } else {
            rest
        };
        if !self.trailing_slash && body.ends_with('/') {
            return None;
        }
        let mut params = Vec::new();
        let mut parts = if body.is_empty() { None } else { Some(body.split('/')) };
        for segment in &self.segments {
            let part = parts.as_mut()?.next()?;
            match segment {
                Segment::Literal(literal) if literal == part => {}
                Segment::Parameter(name, form) if form.accepts(part) => params.push((name.as_str(), part.to_owned())),
                _ => return None,
            }
        }
        if parts.is_some_and(|mut rest| rest.next().is_some()) {
            return None;
        }
        Some(params)
    }
}

/// Percent-decodes a URL path (without its query); `None` when it is not valid UTF-8 after
/// decoding (Django would re-percent it, and nothing here would match).
fn decode_path(raw: &str) -> Option<String> {
    let path = raw.split(['?', '#']).next().unwrap_or_default();
    if !path.contains('%') {
        return Some(path.to_owned());
    }
    String::from_utf8(crate::http::percent_decode(path)).ok()
}

/// Finds the route of a URL path (query string ignored), first match wins.
pub(crate) fn route<'g>(routes: &'g [Route], url_path: &str) -> Option<RouteMatch<'g>> {
    let path = decode_path(url_path)?;
    routes.iter().find_map(|route| {
        route.matches(&path).map(|params| RouteMatch {
            view: &route.view,
            action: route.action.as_deref(),
            detail: route.detail,
            params,
        })
    })
}
