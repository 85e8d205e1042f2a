//! Replays the cases real DRF answered (`conformance/out/cases.json`, made by
//! `conformance/run.sh`) through drf-gate and reports every disagreement.
//!
//! ```text
//! DRF_GATE_CASES=conformance/out/cases.json cargo test --release --test conformance
//! ```
//!
//! A resolved case goes through `Gate::check` with its context. A raw case (its outcome depends
//! on the credentials themselves) goes through `Gate::check_request`: the recorded request, the
//! context's view/action/detail/object as the target, the time DRF ran it as `now`, and a
//! [`Resolver`] that answers from `raw.identities` as the oracle's database and Django's
//! backends did. A policy drf-gate refuses to compile, or a context or request it refuses, is a
//! disagreement: DRF accepted all of them.
//!
//! With `DRF_GATE_MINT=<path>` it instead writes CSRF tokens minted by drf-gate's
//! `mint_csrf_token` to `<path>` (for `DRF_GATE_MINT_SECRET` and for new secrets); the oracle
//! checks that the real Django accepts each (run.sh does both).

use std::collections::BTreeMap;
use std::process::ExitCode;

use drf_gate::authentication::{
    ApiKeyRow, CsrfRandom, CustomLookup, KnoxToken, Lookup, RawRequest, RawRequestInput, Resolver,
};
use drf_gate::edge::{EdgeOutcome, RequestTarget};
use drf_gate::user::UserInput;
use serde_json::{json, Value};

fn main() -> ExitCode {
    if let Ok(path) = std::env::var("DRF_GATE_MINT") {
        return mint(&path);
    }
    if let Ok(path) = std::env::var("DRF_GATE_NEGOTIATION") {
        return negotiation(&path);
    }
    if let Ok(path) = std::env::var("DRF_GATE_CONDITIONS") {
        return conditions(&path);
    }
    let Ok(path) = std::env::var("DRF_GATE_CASES") else {
        eprintln!("conformance: DRF_GATE_CASES is not set; run conformance/run.sh");
        return ExitCode::FAILURE;
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("conformance: cannot read {path}: {err}; run conformance/run.sh");
            return ExitCode::FAILURE;
        }
    };
    let document: Value = match serde_json::from_str(&text) {
        Ok(document) => document,
        Err(err) => {
            eprintln!("conformance: {path} is not JSON: {err}");
            return ExitCode::FAILURE;
        }
    };
    let seed = document.get("seed").map_or_else(|| "?".to_string(), Value::to_string);
    let Some(cases) = document.get("cases").and_then(Value::as_array) else {
        eprintln!("conformance: {path} has no \"cases\" array");
        return ExitCode::FAILURE;
    };

    // Each case is replayed along every native path a user can reach: the JSON policy compiled in
    // process, and the same policy through its compiled form (JSON -> compile -> bytes -> load).
    // `conformance (third-party)` for conformance/thirdparty.sh's cases.
    let label = std::env::var("DRF_GATE_LABEL").unwrap_or_else(|_| "conformance".to_string());
    // The middleware family (oracle/middleware.py): every response header is compared, and a
    // response drf-gate leaves to the origin (`rendered_by_origin`) is counted apart.
    let middleware = document.get("family").and_then(Value::as_str) == Some("middleware");
    let mut failed = cases.is_empty();
    for path in [PolicyPath::Json, PolicyPath::Compiled] {
        let (mut agree, mut disagree, mut pending, mut left) = (0usize, 0usize, 0usize, 0usize);
        for case in cases {
            let result = match case.get("raw") {
                Some(raw) if !raw.is_null() => match raw.get("request") {
                    Some(_) => replay_raw(case, raw, path),
                    None => {
                        pending += 1;
                        continue;
                    }
                },
                _ => replay(case, path),
            };
            match result {
                Ok(Agreed::Same) => agree += 1,
                Ok(Agreed::LeftToServer) => {
                    left += 1;
                    if std::env::var_os("DRF_GATE_VERBOSE").is_some() {
                        let id = case.get("id").and_then(Value::as_str).unwrap_or("?");
                        let status = case.pointer("/expected/status").and_then(Value::as_u64).unwrap_or(0);
                        println!(
                            "left to the server: {id} (origin {status}){} [{}]",
                            request_summary(case),
                            path.name()
                        );
                    }
                }
                Err(diff) => {
                    disagree += 1;
                    println!("{} [{}]", line(case, &diff), path.name());
                }
            }
        }
        if middleware {
            println!(
                "{label} ({}): {} cases, {agree} agree, {disagree} disagree, {left} left to the server (seed {seed})",
                path.name(),
                cases.len()
            );
        } else {
            println!(
                "{label} ({}): {} cases, {agree} agree, {disagree} disagree, {pending} pending (seed {seed})",
                path.name(),
                cases.len()
            );
        }
        failed |= disagree > 0;
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// How the policy reaches the decision.
#[derive(Clone, Copy)]
enum PolicyPath {
    /// `Gate::from_value` of the JSON policy.
    Json,
    /// `Gate::from_compiled(&gate.to_compiled())`: what a runtime without the compiler loads.
    Compiled,
}

impl PolicyPath {
    fn name(self) -> &'static str {
        match self {
            PolicyPath::Json => "json policy",
            PolicyPath::Compiled => "compiled policy",
        }
    }
}

/// drf-gate answered as the origin did, or left the response to it where only the middleware
/// changed it (`rendered_by_origin`: a forward).
enum Agreed {
    Same,
    LeftToServer,
}

/// What drf-gate answered, when it did not answer as DRF.
enum Diff {
    Policy(String),
    Context(String),
    Outcome { status: u16, body: String, www: Option<String>, headers: String },
}

fn gate_of(case: &Value, path: PolicyPath) -> Result<drf_gate::Gate, Diff> {
    let policy = case.get("policy").cloned().unwrap_or(Value::Null);
    let policy_error =
        |err: drf_gate::PolicyError| Diff::Policy(format!("{} at {}: {}", err.code, err.path, err.message));
    let gate = drf_gate::Gate::from_value(policy).map_err(policy_error)?;
    match path {
        PolicyPath::Json => Ok(gate),
        PolicyPath::Compiled => drf_gate::Gate::from_compiled(&gate.to_compiled()).map_err(policy_error),
    }
}

fn replay(case: &Value, path: PolicyPath) -> Result<Agreed, Diff> {
    let gate = gate_of(case, path)?;
    let context = case.get("context").cloned().unwrap_or(Value::Null);
    let context: drf_gate::Context =
        serde_json::from_value(context).map_err(|err| Diff::Context(format!("invalid context: {err}")))?;
    let decision =
        gate.check(&context).map_err(|err| Diff::Context(format!("{} at {}: {}", err.code, err.path, err.message)))?;
    compare(case, &decision)
}

/// A raw case: the request as DRF received it, users as the oracle's database held them.
fn replay_raw(case: &Value, raw: &Value, path: PolicyPath) -> Result<Agreed, Diff> {
    let gate = gate_of(case, path)?;
    let input: RawRequestInput = serde_json::from_value(raw.get("request").cloned().unwrap_or(Value::Null))
        .map_err(|err| Diff::Context(format!("invalid raw request: {err}")))?;
    let format =
        drf_gate::edge::query_parameter(input.url.as_deref().or(input.path.as_deref()).unwrap_or_default(), "format");
    let request = RawRequest::from_input(input).map_err(|err| Diff::Context(format!("request rejected: {err}")))?;
    let context = case.get("context").unwrap_or(&Value::Null);
    let target = RequestTarget {
        view: context.get("view").and_then(Value::as_str).map(str::to_string),
        action: context.get("action").and_then(Value::as_str).map(str::to_string),
        detail: context.get("detail").and_then(Value::as_bool),
        object: context.get("object").map(|object| (!object.is_null()).then(|| object.clone())),
        lookup_error: context.get("lookupError").and_then(Value::as_bool).unwrap_or(false),
        trace: false,
        format,
    };
    let identities = Identities::from_json(raw.get("identities").unwrap_or(&Value::Null)).map_err(Diff::Context)?;
    let now = raw.get("now").and_then(Value::as_f64).ok_or_else(|| Diff::Context("raw case without `now`".into()))?;
    let outcome = gate.check_request(&request, &target, &identities, now);
    // Django itself answered (its 400 page for a query string past DATA_UPLOAD_MAX_NUMBER_FIELDS,
    // ...): only the origin can send that, so the edge must forward.
    if let Some(reason) = case.pointer("/expected/forward").and_then(Value::as_str) {
        return match outcome {
            Ok(EdgeOutcome::Forward(_)) => Ok(Agreed::Same),
            Ok(EdgeOutcome::Decided(decision, _)) if !decision.respond() => Ok(Agreed::Same),
            Ok(EdgeOutcome::Decided(decision, _)) => Err(Diff::Context(format!(
                "answered {} {} where the origin answers ({reason}): must forward",
                decision.status, decision.body
            ))),
            other => Err(Diff::Context(format!("must forward ({reason}), got {other:?}"))),
        };
    }
    // The origin's middleware makes every response the origin's from the request alone: the edge
    // forwarded before authentication, with no decision to compare. DRF's decision without the
    // middleware layer (which never changes a status or a body) must still be the origin's.
    if let Ok(EdgeOutcome::Forward(drf_gate::edge::ForwardReason::MiddlewareRenders)) = outcome {
        let mut bare = case.clone();
        if let Some(policy) = bare.get_mut("policy").and_then(Value::as_object_mut) {
            policy.remove("middleware");
        }
        let gate = gate_of(&bare, path)?;
        // A new request: the first check's reads (`read_joined_header`, ...) are not this one's.
        let input = serde_json::from_value(raw.get("request").cloned().unwrap_or(Value::Null))
            .map_err(|err| Diff::Context(format!("invalid raw request: {err}")))?;
        let request = RawRequest::from_input(input).map_err(|err| Diff::Context(format!("request rejected: {err}")))?;
        return match judge(case, raw, gate.check_request(&request, &target, &identities, now), true)? {
            Agreed::Same | Agreed::LeftToServer => Ok(Agreed::LeftToServer),
        };
    }
    judge(case, raw, outcome, false)
}

/// A raw case's outcome against DRF's recorded answer. For a request the middleware left to the
/// origin (`middleware-renders`), `outcome` is the decision of the policy without its `middleware`
/// section: a denial with the origin's status and body, DRF's 500, or any decision on a preflight
/// (never routed) is the origin's to render, so the forward was right.
fn judge(
    case: &Value,
    raw: &Value,
    outcome: Result<EdgeOutcome<'_>, drf_gate::ContextError>,
    bare: bool,
) -> Result<Agreed, Diff> {
    match outcome {
        Ok(EdgeOutcome::Decided(decision, _)) if bare => compare_bare(case, &decision),
        Ok(EdgeOutcome::Decided(decision, _)) => compare(case, &decision),
        Ok(EdgeOutcome::NeedsLookup(key)) => {
            Err(Diff::Context(format!("a synchronous resolver left a lookup pending: {key:?}")))
        }
        Ok(EdgeOutcome::NoRoute) => Err(Diff::Context("no route (the target names the view)".into())),
        // Headers past the servers' limits: only the origin can answer (its server's 400/431, or
        // DRF on a lenient server); forwarding is the one right answer whatever DRF said here.
        Ok(EdgeOutcome::Forward(drf_gate::edge::ForwardReason::HeadersBeyondServerLimits { .. })) => Ok(Agreed::Same),
        // An API key row with a legacy hash: the package checks it with Django's password hashers
        // and re-hashes and SAVES the row on success; the edge leaves that to the origin.
        Ok(EdgeOutcome::Forward(drf_gate::edge::ForwardReason::ApiKeyLegacyHash { .. })) => Ok(Agreed::Same),
        // A header the decision reads, also spelt with '_' for '-': WSGI servers drop it, ASGI
        // servers (and Django's test client, the oracle) keep it; only the origin knows which.
        Ok(EdgeOutcome::Forward(drf_gate::edge::ForwardReason::AmbiguousHeaderName)) if underscore_header(raw) => {
            Ok(Agreed::Same)
        }
        // A JWT whose user id (or, stateless, any claim) is an int beyond i64/u64 (a JSON number
        // would round it, where Django looks up and Python compares the exact int), inf or nan.
        Ok(EdgeOutcome::Forward(drf_gate::edge::ForwardReason::UnknownLookup {
            lookup: drf_gate::authentication::LookupKey::UserById { .. },
        })) if bearer_claims_beyond_json(raw) => Ok(Agreed::Same),
        Ok(EdgeOutcome::NeedsBody { .. } | EdgeOutcome::Forward(_)) => {
            Err(Diff::Context("undecided with the whole request and every identity known".into()))
        }
        Err(err) => Err(Diff::Context(format!("{} at {}: {}", err.code, err.path, err.message))),
    }
}

/// Whether the request has a header name with '_' (the oracle's `edge:header-names` family).
fn underscore_header(raw: &Value) -> bool {
    raw.pointer("/request/headers").and_then(Value::as_object).is_some_and(|h| h.keys().any(|k| k.contains('_')))
}

/// Whether the request's `Authorization` JWT carries a claim without an exact JSON form: an int
/// outside the i64/u64 range (the oracle's `userid=`/`orgclaim=` variants), inf or nan.
fn bearer_claims_beyond_json(raw: &Value) -> bool {
    let header = raw.pointer("/request/headers/Authorization").and_then(Value::as_str).unwrap_or_default();
    let Some(payload) = header.split_whitespace().nth(1).and_then(|token| token.split('.').nth(1)) else {
        return false;
    };
    drf_gate::authentication::jwt::decode_segment(payload.as_bytes())
        .and_then(|bytes| drf_gate::authentication::pyjson::loads_bytes(&bytes).ok())
        .is_some_and(|claims| !claims.is_exact_in_json())
}

/// DRF's decision on a request the middleware left to the origin, without the middleware layer:
/// its status, body and `WWW-Authenticate` must be the origin's (the middleware adds headers
/// only), unless the origin answered a preflight or DRF's 500 is the origin's own to render.
fn compare_bare(case: &Value, decision: &drf_gate::Decision<'_>) -> Result<Agreed, Diff> {
    let expected = case.get("expected");
    let status = expected.and_then(|e| e.get("status")).and_then(Value::as_u64);
    let body = expected.and_then(|e| e.get("body")).and_then(Value::as_str);
    let www = expected.and_then(|e| e.get("wwwAuthenticate")).and_then(Value::as_str);
    let preflight = status == Some(200) && expected.and_then(|e| e.get("responseHeaders")).is_some();
    let same = status == Some(u64::from(decision.status))
        && body == Some(&*decision.body)
        && www == decision.www_authenticate();
    if preflight || same || (!decision.allowed && decision.status == 500) {
        return Ok(Agreed::LeftToServer);
    }
    Err(Diff::Outcome {
        status: decision.status,
        body: decision.body.to_string(),
        www: decision.www_authenticate().map(str::to_string),
        headers: " (forwarded: middleware-renders; DRF's decision without the middleware)".into(),
    })
}

fn compare(case: &Value, decision: &drf_gate::Decision<'_>) -> Result<Agreed, Diff> {
    let expected = case.get("expected");
    let status = expected.and_then(|e| e.get("status")).and_then(Value::as_u64);
    let body = expected.and_then(|e| e.get("body")).and_then(Value::as_str);
    let www = expected.and_then(|e| e.get("wwwAuthenticate")).and_then(Value::as_str);
    let every_header = expected.and_then(|e| e.get("responseHeaders")).and_then(Value::as_array);
    if let Some(want) = every_header {
        // The middleware family: a preflight (200, never routed) or a denial, with every header.
        if !decision.respond() {
            // Forwarded: right for a preflight and where drf-gate leaves the answer to the server
            // (its 500: an empty Origin under CSRF, ...); else DRF's own decision must agree.
            let preflight = status == Some(200);
            let same = status == Some(u64::from(decision.status)) && body == Some(&*decision.body);
            if preflight || (!decision.allowed && (same || decision.status == 500)) {
                return Ok(Agreed::LeftToServer);
            }
        } else if status == Some(u64::from(decision.status))
            && body == Some(&*decision.body)
            && www == decision.www_authenticate()
            && every_header_agrees(want, decision)
        {
            return Ok(Agreed::Same);
        }
        let got: Vec<_> = decision.headers().collect();
        return Err(Diff::Outcome {
            status: decision.status,
            body: decision.body.to_string(),
            www: decision.www_authenticate().map(str::to_string),
            headers: format!(
                "{}{} (expected{})",
                if decision.respond() { "" } else { " (forwarded)" },
                shown_headers(got.into_iter()),
                shown_headers(
                    want.iter().filter_map(|pair| { Some((pair.get(0)?.as_str()?, pair.get(1)?.as_str()?)) })
                )
            ),
        });
    }
    if status == Some(u64::from(decision.status))
        && body == Some(&*decision.body)
        && www == decision.www_authenticate()
        && headers_agree(expected, decision)
    {
        Ok(Agreed::Same)
    } else {
        Err(Diff::Outcome {
            status: decision.status,
            body: decision.body.to_string(),
            www: decision.www_authenticate().map(str::to_string),
            headers: shown_headers(
                decision.headers().filter(|(name, _)| matches!(*name, "Content-Type" | "Allow" | "Vary")),
            ),
        })
    }
}

/// Every header of the origin's response (`expected.responseHeaders`: `[name, value]` in the
/// order Django sends them), names case-insensitively, values exactly, in the same order.
fn every_header_agrees(want: &[Value], decision: &drf_gate::Decision<'_>) -> bool {
    let got: Vec<_> = decision.headers().collect();
    got.len() == want.len()
        && got.iter().zip(want).all(|((name, value), pair)| {
            pair.get(0).and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(name))
                && pair.get(1).and_then(Value::as_str) == Some(*value)
        })
}

/// DRF's `Content-Type`, `Allow` and `Vary` on a response the oracle recorded (`expected.headers`; none
/// for an allowed request): a denial must carry the same.
fn headers_agree(expected: Option<&Value>, decision: &drf_gate::Decision<'_>) -> bool {
    let Some(want) = expected.and_then(|e| e.get("headers")).and_then(Value::as_object) else {
        return true;
    };
    if decision.allowed {
        return true; // the status differs, or the oracle's allowed answer is its own
    }
    let same_values = ["Content-Type", "Allow", "Vary"].iter().all(|name| {
        let got = decision.headers().find(|(n, _)| n == name).map(|(_, v)| v);
        want.get(*name).and_then(Value::as_str) == got
    });
    same_values && header_order_agrees(expected, decision)
}

/// DRF's headers in the order it sends them (`expected.headerOrder`, when the oracle recorded it).
fn header_order_agrees(expected: Option<&Value>, decision: &drf_gate::Decision<'_>) -> bool {
    let Some(want) = expected.and_then(|e| e.get("headerOrder")).and_then(Value::as_array) else {
        return true;
    };
    let named = ["Content-Type", "WWW-Authenticate", "Vary", "Allow"];
    let got = decision.headers().map(|(name, _)| name).filter(|name| named.contains(name));
    got.map(Some).eq(want.iter().map(Value::as_str))
}

fn line(case: &Value, diff: &Diff) -> String {
    let id = case.get("id").and_then(Value::as_str).unwrap_or("?");
    let source = case.get("source").and_then(Value::as_str).unwrap_or("?");
    let expected = case.get("expected").cloned().unwrap_or(Value::Null);
    let want_headers = expected.get("headers").and_then(Value::as_object).map_or_else(String::new, |map| {
        shown_headers(map.iter().map(|(name, value)| (name.as_str(), value.as_str().unwrap_or_default())))
    });
    let want = outcome(
        expected.get("status").and_then(Value::as_u64).unwrap_or(0),
        expected.get("body").and_then(Value::as_str).unwrap_or(""),
        expected.get("wwwAuthenticate").and_then(Value::as_str),
    ) + &want_headers;
    let got = match diff {
        Diff::Policy(err) => format!("policy rejected: {err}"),
        Diff::Context(err) => format!("context rejected: {err}"),
        Diff::Outcome { status, body, www, headers } => outcome(u64::from(*status), body, www.as_deref()) + headers,
    };
    format!(
        "DISAGREE {id} [{source}] {}{} | policy {} | expected {want} | got {got}",
        context_summary(case.get("context").unwrap_or(&Value::Null)),
        request_summary(case),
        policy_summary(case),
    )
}

/// A raw case's request: method, path, and whatever carries credentials.
fn request_summary(case: &Value) -> String {
    let Some(request) = case.get("raw").and_then(|raw| raw.get("request")) else {
        return String::new();
    };
    let mut parts = vec![format!(
        "{} {}",
        request.get("method").and_then(Value::as_str).unwrap_or("?"),
        request.get("path").and_then(Value::as_str).unwrap_or("?")
    )];
    for key in ["headers", "cookies", "meta"] {
        if let Some(map) = request.get(key).and_then(Value::as_object).filter(|m| !m.is_empty()) {
            parts.push(format!("{key}={}", Value::Object(map.clone())));
        }
    }
    if request.get("secure").and_then(Value::as_bool) == Some(true) {
        parts.push("secure".into());
    }
    if let Some(body) = request.get("body").and_then(Value::as_str).filter(|b| !b.is_empty()) {
        let content_type = request.get("contentType").and_then(Value::as_str).unwrap_or("");
        parts.push(format!("body({content_type})={body:?}"));
    }
    format!(" | request {}", parts.join(" "))
}

fn shown_headers<'n, 'v>(headers: impl Iterator<Item = (&'n str, &'v str)>) -> String {
    headers.map(|(name, value)| format!(" {name}={value:?}")).collect()
}

fn outcome(status: u64, body: &str, www: Option<&str>) -> String {
    let www = www.map_or_else(|| "-".to_string(), |w| format!("{w:?}"));
    format!("{status} {body} www={www}")
}

fn context_summary(context: &Value) -> String {
    let mut parts = Vec::new();
    let text = |key: &str| context.get(key).map(compact);
    if let Some(view) = text("view") {
        parts.push(format!("view={view}"));
    }
    for key in ["action", "method", "detail"] {
        if let Some(value) = text(key) {
            parts.push(format!("{key}={value}"));
        }
    }
    match context.get("user") {
        None | Some(Value::Null) => parts.push("user=anonymous".into()),
        Some(user) => parts.push(format!("user={}", compact(user))),
    }
    if let Some(auth) = text("authentication") {
        parts.push(format!("auth={auth}"));
    }
    match context.get("object") {
        None => {}
        Some(Value::Null) => parts.push("object=miss".into()),
        Some(object) => parts.push(format!("object={}", compact(object))),
    }
    parts.join(" ")
}

fn policy_summary(case: &Value) -> String {
    let policy = case.get("policy").map(compact).unwrap_or_default();
    if policy.chars().count() > 600 {
        let cut: String = policy.chars().take(600).collect();
        format!("{cut}…")
    } else {
        policy
    }
}

fn compact(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// One user of the oracle's database, with what authenticates as it.
struct Identity {
    user: UserInput,
    id: Option<i128>,
    username: String,
    password: String,
    tokens: Vec<String>,
    sessions: Vec<String>,
    /// django-rest-knox rows: (digest, token_key, expiry).
    knox_tokens: Vec<(String, String, Option<f64>)>,
}

/// A [`Resolver`] answering as the oracle's Django did: `ModelBackend` for Basic (exact
/// username, correct password, active users only), `Token` keys, session keys (and each session's
/// CSRF secret), `User.objects.get(<USER_ID_FIELD>=<claim>)` for JWTs, `RemoteUserBackend` with
/// `create_unknown_user = False`, and the harness's header classes (`X-Test-User: <Class> <id>`).
struct Identities {
    users: Vec<Identity>,
    session_csrf_secrets: BTreeMap<String, String>,
    /// djangorestframework-api-key rows: (model label, prefix, row).
    api_keys: Vec<(String, String, ApiKeyRow)>,
    /// `User.objects.get(<USER_ID_FIELD>=<claim>)` as the oracle's database answered it, for a
    /// field not emulated here (`userIdLookups`: field, claim, username found).
    user_id_lookups: Vec<(String, Value, Option<String>)>,
}

impl Identities {
    fn from_json(value: &Value) -> Result<Self, String> {
        let mut users = Vec::new();
        for entry in value.get("users").and_then(Value::as_array).map_or(&[][..], Vec::as_slice) {
            let user_json = entry.get("user").cloned().unwrap_or(Value::Null);
            let user: UserInput =
                serde_json::from_value(user_json).map_err(|err| format!("identities: invalid user: {err}"))?;
            let strings = |key: &str| -> Vec<String> {
                entry
                    .get(key)
                    .and_then(Value::as_array)
                    .map_or_else(Vec::new, |items| items.iter().filter_map(Value::as_str).map(str::to_string).collect())
            };
            users.push(Identity {
                id: user.id.as_ref().and_then(python_int),
                username: user.username.clone().unwrap_or_default(),
                password: entry.get("password").and_then(Value::as_str).unwrap_or_default().to_string(),
                tokens: strings("tokens"),
                sessions: strings("sessions"),
                knox_tokens: entry.get("knoxTokens").and_then(Value::as_array).map_or_else(Vec::new, |rows| {
                    rows.iter()
                        .filter_map(|row| {
                            let text = |key: &str| row.get(key).and_then(Value::as_str).map(str::to_string);
                            Some((text("digest")?, text("tokenKey")?, row.get("expiry").and_then(Value::as_f64)))
                        })
                        .collect()
                }),
                user,
            });
        }
        let session_csrf_secrets = value
            .get("sessionCsrfSecrets")
            .and_then(Value::as_object)
            .map(|map| map.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
            .unwrap_or_default();
        let mut api_keys = Vec::new();
        for row in value.get("apiKeys").and_then(Value::as_array).map_or(&[][..], Vec::as_slice) {
            let text = |key: &str| row.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
            let stored = ApiKeyRow {
                hashed_key: text("hashedKey"),
                revoked: row.get("revoked").and_then(Value::as_bool).unwrap_or(false),
                expiry: row.get("expiry").and_then(Value::as_f64),
            };
            api_keys.push((text("model"), text("prefix"), stored));
        }
        let user_id_lookups = value
            .get("userIdLookups")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|row| {
                let field = row.get("field").and_then(Value::as_str).unwrap_or_default().to_string();
                let username = row.get("username").and_then(Value::as_str).map(str::to_string);
                (field, row.get("id").cloned().unwrap_or(Value::Null), username)
            })
            .collect();
        Ok(Identities { users, session_csrf_secrets, api_keys, user_id_lookups })
    }

    fn found(&self, matches: impl Fn(&Identity) -> bool) -> Lookup {
        self.users
            .iter()
            .find(|identity| matches(identity))
            .map_or(Lookup::NotFound, |identity| Lookup::Found(identity.user.clone()))
    }
}

impl Resolver for Identities {
    fn token(&self, key: &str) -> Lookup {
        self.found(|identity| identity.tokens.iter().any(|token| token == key))
    }
    fn basic(&self, username: &str, password: &str) -> Lookup {
        // django.contrib.auth.authenticate(): ModelBackend returns None for inactive users.
        self.found(|identity| identity.username == username && identity.password == password && identity.user.is_active)
    }
    fn session(&self, session_key: &str) -> Lookup {
        self.found(|identity| identity.sessions.iter().any(|key| key == session_key))
    }
    fn session_csrf_secret(&self, session_key: &str) -> Lookup<String> {
        self.session_csrf_secrets.get(session_key).map_or(Lookup::NotFound, |secret| Lookup::Found(secret.clone()))
    }
    fn user_by_id(&self, field: &str, id: &Value) -> Lookup {
        // The database's recorded answer for this claim, where the oracle recorded one.
        if let Some((_, _, username)) =
            self.user_id_lookups.iter().find(|(stored, claim, _)| stored == field && claim == id)
        {
            return match username {
                Some(username) => self.found(|identity| identity.username == *username),
                None => Lookup::NotFound,
            };
        }
        match field {
            // IntegerField.get_prep_value: int(value); None matches nothing.
            "id" | "pk" => match python_int(id) {
                Some(id) => self.found(|identity| identity.id == Some(id)),
                None => Lookup::NotFound,
            },
            "username" => {
                let wanted = match id {
                    Value::String(text) => text.clone(),
                    Value::Number(number) => number.to_string(),
                    _ => return Lookup::NotFound,
                };
                self.found(|identity| identity.username == wanted)
            }
            _ => Lookup::NotFound,
        }
    }
    fn knox_token(&self, digest: &str, token_key: &str) -> Lookup<KnoxToken> {
        // AuthToken.objects.filter(token_key=...) then the row whose digest matches.
        for identity in &self.users {
            for (row_digest, row_key, expiry) in &identity.knox_tokens {
                if row_digest == digest && row_key == token_key {
                    return Lookup::Found(KnoxToken { user: identity.user.clone(), expiry: *expiry });
                }
            }
        }
        Lookup::NotFound
    }
    fn api_key(&self, model: &str, prefix: &str) -> Lookup<ApiKeyRow> {
        // `<model>.objects.get(prefix=prefix)` (SQLite compares text exactly).
        self.api_keys
            .iter()
            .find(|(row_model, row_prefix, _)| row_model == model && row_prefix == prefix)
            .map_or(Lookup::NotFound, |(_, _, row)| Lookup::Found(row.clone()))
    }
    fn remote_user(&self, name: &str) -> Lookup {
        self.found(|identity| identity.username == name && identity.user.is_active)
    }
    fn custom(&self, class_name: &str, request: &RawRequest) -> CustomLookup {
        let Some(value) = request.meta("HTTP_X_TEST_USER").filter(|value| !value.is_empty()) else {
            return CustomLookup::None;
        };
        let (name, uid) = value.split_once(' ').unwrap_or((value, ""));
        if name != class_name {
            return CustomLookup::None;
        }
        let uid = python_int(&Value::String(uid.to_string()));
        match self.users.iter().find(|identity| uid.is_some() && identity.id == uid) {
            Some(identity) => CustomLookup::User(identity.user.clone()),
            None => CustomLookup::None,
        }
    }
}

/// The first code point (digit zero) of each run of ten decimal digits (`unicodedata.decimal`)
/// in the oracle's Python 3.11 (Unicode 14): `int()` reads every one of them.
const DECIMAL_ZEROS: [u32; 66] = [
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0,
    0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620,
    0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0,
    0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60,
    0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// A Unicode decimal digit's value, as Python's `int()` reads it.
fn decimal_value(c: char) -> Option<u32> {
    let cp = u32::from(c);
    DECIMAL_ZEROS.iter().find(|zero| cp >= **zero && cp < **zero + 10).map(|zero| cp - zero)
}

/// Python's `int(value)` for what a JSON claim or a pk can hold (bool, int, float truncated,
/// str with surrounding whitespace, any Unicode decimal digits and `_` between digits); `None`
/// where Python raises or for `None`.
fn python_int(value: &Value) -> Option<i128> {
    match value {
        Value::Bool(flag) => Some(i128::from(*flag)),
        Value::Number(number) => {
            number.as_i64().map(i128::from).or_else(|| number.as_u64().map(i128::from)).or_else(|| {
                let float = number.as_f64()?;
                #[allow(clippy::cast_possible_truncation)]
                float.is_finite().then(|| float.trunc() as i128)
            })
        }
        Value::String(text) => {
            let text = text.trim_matches(|c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c));
            let (negative, digits) = match text.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, text.strip_prefix('+').unwrap_or(text)),
            };
            let ok = !digits.is_empty()
                && !digits.starts_with('_')
                && !digits.ends_with('_')
                && !digits.contains("__")
                && digits.chars().all(|c| decimal_value(c).is_some() || c == '_');
            if !ok {
                return None;
            }
            let ascii: String =
                digits.chars().filter_map(decimal_value).filter_map(|d| char::from_digit(d, 10)).collect();
            let number: i128 = ascii.parse().ok()?;
            Some(if negative { -number } else { number })
        }
        _ => None,
    }
}

/// xorshift64*: the test's randomness for minting (the core asks the caller for random bytes).
struct XorShift(u64);

impl CsrfRandom for XorShift {
    fn fill_bytes(&mut self, buffer: &mut [u8]) {
        for byte in buffer {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            *byte = (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8;
        }
    }
}

/// Writes CSRF tokens minted by drf-gate: four for `DRF_GATE_MINT_SECRET`, four with new
/// secrets. The oracle sends each to the real Django.
fn mint(path: &str) -> ExitCode {
    let secret = std::env::var("DRF_GATE_MINT_SECRET").ok();
    let seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1;
    let mut random = XorShift(seed);
    let mut out = Vec::new();
    for i in 0..8 {
        let minted =
            drf_gate::authentication::mint_csrf_token(if i < 4 { secret.as_deref() } else { None }, &mut random);
        out.push(json!({"token": minted.token, "secret": minted.secret, "newSecret": minted.new_secret}));
    }
    match std::fs::write(path, Value::Array(out).to_string()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("conformance: cannot write {path}: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `conformance/oracle/negotiation.py`'s cases: `negotiation::negotiate` against DRF's
/// `DefaultContentNegotiation` + `JSONRenderer.get_indent`. Agreeing is the same outcome; where
/// DRF raised (500) or server processes answer differently (`ambiguous`), the one right answer
/// is to leave it to the server (`ServerError`), which is also allowed, and counted apart, for a
/// codec not emulated here.
fn negotiation(path: &str) -> ExitCode {
    use drf_gate::negotiation::{builtin_renderer, negotiate, Negotiated};
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!("negotiation: cannot read {path}");
        return ExitCode::FAILURE;
    };
    let Ok(document) = serde_json::from_str::<Value>(&text) else {
        eprintln!("negotiation: {path} is not JSON");
        return ExitCode::FAILURE;
    };
    let cases = document.get("cases").and_then(Value::as_array).cloned().unwrap_or_default();
    let (mut agree, mut disagree, mut left) = (0usize, 0usize, 0usize);
    for case in &cases {
        let renderers: Vec<_> = case
            .get("renderers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|name| name.as_str().and_then(builtin_renderer))
            .collect();
        let accept = case.get("accept").and_then(Value::as_str);
        let format = case.get("format").and_then(Value::as_str);
        let want = case.get("outcome").and_then(Value::as_str).unwrap_or("?");
        let got = match negotiate(&renderers, accept, format) {
            Negotiated::Json { indent: None } => "json".to_string(),
            Negotiated::Json { indent: Some(n) } => format!("json:{n}"),
            Negotiated::Other => "other".into(),
            Negotiated::NotAcceptable => "406".into(),
            Negotiated::UnknownFormat => "404".into(),
            Negotiated::ServerError => "500".into(),
        };
        if got == want || (got == "500" && want == "ambiguous") {
            agree += 1;
        } else if got == "500" {
            left += 1;
            if std::env::var_os("DRF_GATE_VERBOSE").is_some() {
                println!("left to the server: accept={accept:?} format={format:?}: DRF {want}");
            }
        } else {
            disagree += 1;
            println!(
                "DISAGREE negotiation {} accept={accept:?} format={format:?}: DRF {want}, drf-gate {got}",
                compact(case.get("renderers").unwrap_or(&Value::Null))
            );
        }
    }
    let seed = document.get("seed").map_or_else(|| "?".to_string(), Value::to_string);
    println!(
        "conformance (negotiation): {} cases, {agree} agree, {disagree} disagree, {left} left to the server (seed {seed})",
        cases.len()
    );
    if disagree > 0 || cases.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `conformance/oracle/conditions.py`'s cases: a `hasObjectPermission` condition over a JSON
/// object, through `Gate::check`, against CPython's `eval` of the same condition (its
/// truthiness allows; an exception is the server's 500, `evaluation_error` here). A condition
/// the compiler refuses is counted apart (the exporter leaves such a class to the origin).
fn conditions(path: &str) -> ExitCode {
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!("conditions: cannot read {path}");
        return ExitCode::FAILURE;
    };
    let Ok(document) = serde_json::from_str::<Value>(&text) else {
        eprintln!("conditions: {path} is not JSON");
        return ExitCode::FAILURE;
    };
    let cases = document.get("cases").and_then(Value::as_array).cloned().unwrap_or_default();
    let (mut agree, mut disagree, mut refused, mut left) = (0usize, 0usize, 0usize, 0usize);
    for case in &cases {
        let field = |name: &str| case.get(name).and_then(Value::as_str).unwrap_or_default();
        let gate = match drf_gate::Gate::from_json(field("policy")) {
            Ok(gate) => gate,
            Err(err) => {
                refused += 1;
                if std::env::var_os("DRF_GATE_VERBOSE").is_some() {
                    println!("refused: {} ({}: {})", field("condition"), err.code, err.message);
                }
                continue;
            }
        };
        let got = match gate.check_json(field("context")) {
            // What a JSON context does not tell (see condition::eval): left to the server.
            Ok(decision) if decision.error.as_deref().is_some_and(|e| e.contains("Undecidable here")) => {
                left += 1;
                continue;
            }
            Ok(decision) if decision.allowed => "allow".to_string(),
            Ok(decision) if decision.status == 403 => "deny".to_string(),
            Ok(decision) if decision.status == 500 => "error".to_string(),
            Ok(decision) => format!("{} {}", decision.status, decision.body),
            Err(err) => format!("context rejected: {}", err.message),
        };
        if got == field("outcome") {
            agree += 1;
        } else {
            disagree += 1;
            println!(
                "DISAGREE condition {} | object {} | Python {}, drf-gate {got}",
                field("condition"),
                serde_json::from_str::<Value>(field("context"))
                    .ok()
                    .and_then(|c| c.get("object").map(compact))
                    .unwrap_or_default(),
                field("outcome")
            );
        }
    }
    let seed = document.get("seed").map_or_else(|| "?".to_string(), Value::to_string);
    println!(
        "conformance (conditions): {} cases, {agree} agree, {disagree} disagree, {left} left to the server, {refused} refused by the compiler (seed {seed})",
        cases.len()
    );
    if disagree > 0 || cases.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
