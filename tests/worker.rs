#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! The Worker build (`edge` without `compiler`: `cargo test --no-default-features --features edge
//! --test worker`) decides raw requests on a compiled policy exactly as the full edge build does.
//! `tests/fixtures/blog-raw.txt` holds the full edge build's outcome for each request below on
//! `tests/fixtures/blog-hs256.gate` (the blog policy, its middleware included, with a JWT signing
//! key); the builds with the compiler also check that the fixture is that policy compiled and that
//! the JSON policy gives the same outcomes, and rewrite both files with `DRF_GATE_BLESS=1`. Real DRF judges the full edge build (conformance/run.sh); this test ties
//! the Worker build to it natively, and `conformance/replay.mjs` replays the Worker `.wasm`
//! against real DRF.

use drf_gate::authentication::{Lookup, RawRequest, Resolver};
use drf_gate::edge::RequestTarget;
use drf_gate::user::UserInput;
use drf_gate::Gate;

/// User 1 exists (a JWT's `user_id`); every other row answered "no such row".
struct Rows;

impl Resolver for Rows {
    fn token(&self, key: &str) -> Lookup {
        // A store that cannot tell: the edge must forward.
        if key == "unknown" {
            return Lookup::Unknown;
        }
        Lookup::NotFound
    }
    fn session(&self, _session_key: &str) -> Lookup {
        Lookup::NotFound
    }
    fn user_by_id(&self, _field: &str, id: &serde_json::Value) -> Lookup {
        if id == &serde_json::json!(1) {
            Lookup::Found(UserInput { id: Some(id.clone()), username: Some("ann".into()), ..UserInput::default() })
        } else {
            Lookup::NotFound
        }
    }
}

/// HS256 with `SIGNING_KEY`, made by PyJWT's layout: valid until 2027, expired, a refresh token.
const JWT_VALID: &str = "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjoxODAwMDAwMDAwLCJpYXQiOjE3MDAwMDAwMDAsImp0aSI6ImoxIiwidXNlcl9pZCI6MSwiaXNzIjoiaHR0cHM6Ly9ibG9nLmV4YW1wbGUuY29tIn0.rDBJ-7-IruhVWN5ogm7HVU61Ae41DZ5ehK764X2U5Ew";
const JWT_EXPIRED: &str = "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjoxNjAwMDAwMDAwLCJpYXQiOjE1MDAwMDAwMDAsImp0aSI6ImoyIiwidXNlcl9pZCI6MSwiaXNzIjoiaHR0cHM6Ly9ibG9nLmV4YW1wbGUuY29tIn0.3PqVm4_EyvaY68TYd8iqOv042eXHR4thW6lk-fmY76M";
const JWT_REFRESH: &str = "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCIsImV4cCI6MTgwMDAwMDAwMCwiaWF0IjoxNzAwMDAwMDAwLCJqdGkiOiJqMyIsInVzZXJfaWQiOjEsImlzcyI6Imh0dHBzOi8vYmxvZy5leGFtcGxlLmNvbSJ9.ZTHpBuJ5u0FWCKVWpEg8_7ax7pnezBo6G6tK704QK04";
#[cfg(feature = "compiler")]
const SIGNING_KEY: &str = "drf-gate-test-signing-key";

const PATHS: [&str; 9] = [
    "/api/posts/",
    "/api/posts/7/",
    "/api/posts/7/publish/",
    "/api/comments/",
    "/api/tags/3/",
    "/api/me/",
    "/api/health/",
    "/api/posts/?format=json",
    "/not-a-route/",
];
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "OPTIONS"];

/// Header sets: credentials (malformed ones included), negotiation, CSRF, CORS, proxies.
fn header_sets() -> Vec<Vec<(&'static str, &'static str)>> {
    vec![
        vec![],
        vec![("Authorization", "Token abc")],
        vec![("Authorization", "Token")],
        vec![("Authorization", "Token unknown")],
        vec![("Authorization", "Bearer a.b.c")],
        vec![("Authorization", "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoxfQ.x")],
        vec![("Authorization", JWT_VALID)],
        vec![("Authorization", JWT_EXPIRED)],
        vec![("Authorization", JWT_REFRESH)],
        vec![("Authorization", JWT_VALID), ("Accept", "application/json; indent*=utf-8''%34")],
        vec![("Authorization", "Basic Zm9vOmJhcg==")],
        vec![("Cookie", "sessionid=abcdefghijklmnopqrstuvwxyz012345; csrftoken=short")],
        vec![("Accept", "text/html")],
        vec![("Accept", "application/json; indent*=utf-8''%34")],
        vec![("Accept", "application/json; indent*=bogus''6")],
        vec![("Origin", "http://localhost:3000"), ("Access-Control-Request-Method", "POST")],
        vec![("X-Forwarded-Proto", "https"), ("Origin", "https://evil.example")],
        vec![("X_CSRFToken", "abc"), ("Cookie", "csrftoken=abc")],
    ]
}

fn outcomes(gate: &Gate) -> Vec<String> {
    let mut lines = Vec::new();
    for path in PATHS {
        for method in METHODS {
            for (set, headers) in header_sets().into_iter().enumerate() {
                let mut request = RawRequest::new(method).path(path).host("localhost");
                for (name, value) in headers {
                    request = request.header(name, value).unwrap();
                }
                let outcome = match gate.check_request(&request, &RequestTarget::default(), &Rows, 1.7e9) {
                    Ok(outcome) => format!("{outcome:?}"),
                    Err(err) => format!("error {}: {}", err.code, err.message),
                };
                lines.push(format!("{method} {path} #{set} => {outcome}"));
            }
        }
    }
    lines
}

/// A line as the fixture keeps it: the request, the outcome's first words and an FNV-1a 64 of the
/// whole outcome (its `Debug`: status, body, headers, forward reason, authentication).
fn digest(line: &str) -> String {
    let (request, outcome) = line.split_once(" => ").unwrap_or((line, ""));
    let hash = outcome.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let head: String = outcome.chars().take(48).collect();
    format!("{request} => {hash:016x} {head}")
}

const POLICY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/blog-hs256.gate");
const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/blog-raw.txt");

/// The blog policy with `SIGNING_KEY`, as JSON (the builds with the compiler).
#[cfg(feature = "compiler")]
fn blog_json() -> Gate {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/blog/policy.json")).unwrap();
    let mut policy: serde_json::Value = serde_json::from_str(&text).unwrap();
    policy["settings"]["jwt"]["signingKey"] = serde_json::json!(SIGNING_KEY);
    Gate::from_value(policy).unwrap()
}

#[test]
fn the_worker_build_decides_raw_requests_as_the_edge_build() {
    #[cfg(feature = "compiler")]
    let json = blog_json();
    #[cfg(feature = "compiler")]
    if std::env::var_os("DRF_GATE_BLESS").is_some() {
        std::fs::write(POLICY, json.to_compiled()).unwrap();
    }
    let bytes = std::fs::read(POLICY).unwrap();
    #[cfg(feature = "compiler")]
    assert!(
        bytes == json.to_compiled(),
        "tests/fixtures/blog-hs256.gate is stale: run DRF_GATE_BLESS=1 cargo test --test worker"
    );
    let got = outcomes(&Gate::from_compiled(&bytes).unwrap_or_else(|err| panic!("{err}")));
    if std::env::var_os("DRF_GATE_SHOW").is_some() {
        eprintln!("{}", got.join("\n"));
    }
    #[cfg(feature = "compiler")]
    {
        for (json, compiled) in outcomes(&json).iter().zip(&got) {
            assert_eq!(compiled, json, "the compiled policy and its JSON disagree");
        }
        if std::env::var_os("DRF_GATE_BLESS").is_some() {
            let lines: Vec<String> = got.iter().map(|line| digest(line)).collect();
            std::fs::write(FIXTURE, lines.join("\n") + "\n").unwrap();
        }
    }
    let fixture = std::fs::read_to_string(FIXTURE).unwrap_or_default();
    let want: Vec<&str> = fixture.lines().collect();
    assert_eq!(
        want.len(),
        got.len(),
        "tests/fixtures/blog-raw.txt is stale: run DRF_GATE_BLESS=1 cargo test --test worker"
    );
    for (want, got) in want.iter().zip(&got) {
        assert_eq!(&digest(got), want, "{got}");
    }
    // Not a test that cannot fail: the set reaches decisions, middleware headers and forwards.
    assert!(got.iter().any(|line| line.contains("X-Frame-Options")), "no middleware header rendered");
    assert!(got.iter().any(|line| line.contains("Forward(")), "nothing forwarded");
    assert!(got.iter().any(|line| line.contains("status: 401")), "no 401");
    assert!(got.iter().any(|line| line.contains("token_not_valid")), "no JWT verified");
    assert!(got.iter().any(|line| line.contains("allowed: true")), "nothing allowed");
}

#[cfg(not(feature = "compiler"))]
#[test]
fn json_policies_need_the_compiler() {
    // The Worker build has no JSON policy reader at all: `Gate::from_json` does not exist here,
    // and anything that is not a compiled policy is refused, never misread.
    let err = Gate::from_compiled(br#"{"views": {}}"#).unwrap_err();
    assert_eq!(err.code, "corrupt_compiled_policy");
}
