//! ns per raw-request decision with HS256 JWT verification (simplejwt's
//! JWTStatelessUserAuthentication: signature, claims, TokenUser), on the rules of
//! bench/node/workload.mjs. Prints one JSON line. `cargo run --release` (run.sh does).
use std::hint::black_box;
use std::time::Instant;

use drf_gate::authentication::{AnswerCache, RawRequest};
use drf_gate::edge::{EdgeOutcome, RequestTarget};
use drf_gate::Gate;
use serde_json::json;

const GOOD: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjE3MDAwMDAwMDAsImp0aSI6IjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmIiwidXNlcl9pZCI6M30.kUS3G2X8p6OCkBSMWxQFWH6sU5kCBWL7jXss2qe4zMI";
const BAD_SIGNATURE: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjE3MDAwMDAwMDAsImp0aSI6IjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmIiwidXNlcl9pZCI6M30.4hKO27AkDpnshrNVBpGWjNd38DzaNTOLs8Lt9Nx8eYU";
const NOW: f64 = 1_800_000_000.0;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gate = Gate::from_value(json!({
        "authentication": ["jwtStateless"],
        "settings": {"jwt": {"signingKey": "bench-secret"}},
        "permissions": ["IsAuthenticatedOrReadOnly", "IsOwnerOrReadOnly | IsAdminUser"],
        // simplejwt's TokenUser equals only another TokenUser (DRF answers 403 to
        // `obj.owner == request.user`): the stateless owner check compares ids.
        "classes": {"IsOwnerOrReadOnly": {"hasObjectPermission": "request.method in SAFE_METHODS or obj.owner == request.user.id"}},
        "views": {"posts": {"model": "blog.Post", "actions": ["list", "create", "retrieve", "update", "destroy"]}}
    }))?;
    let cache = AnswerCache::default();
    let mut results = serde_json::Map::new();
    let cases: [(&str, &str, &str, Option<serde_json::Value>, u16); 4] = [
        ("PUT own post, valid token (200)", "PUT", GOOD, Some(json!({"id": 7, "owner": 3})), 200),
        ("PUT other's post, valid token (403)", "PUT", GOOD, Some(json!({"id": 8, "owner": 4})), 403),
        ("GET list, valid token (200)", "GET", GOOD, None, 200),
        ("GET list, bad signature (401)", "GET", BAD_SIGNATURE, None, 401),
    ];
    for (name, method, token, object, status) in cases {
        let request = RawRequest::new(method).header("Authorization", &format!("Bearer {token}"))?;
        let detail = object.is_some();
        let target = RequestTarget {
            view: Some("posts".into()),
            detail: Some(detail),
            object: object.clone().map(Some),
            ..Default::default()
        };
        let decide = || match gate.check_request(black_box(&request), &target, &cache, NOW) {
            Ok(EdgeOutcome::Decided(decision, _)) => decision.status,
            _ => 0,
        };
        assert_eq!(decide(), status, "{name}");
        results.insert(format!("check_request: {name}"), json!(time(decide)));
        // The JSON-text form, as a JS binding would hand it over.
        let mut input = json!({"request": {"method": method, "headers": {"Authorization": format!("Bearer {token}")}}, "view": "posts", "detail": detail, "now": NOW});
        if let Some(object) = object {
            input["object"] = object;
        }
        let text = input.to_string();
        let decide_json = || {
            gate.check_request_json(black_box(&text))
                .map(|step| serde_json::to_string(&step).map(|s| s.len()).unwrap_or(0))
                .unwrap_or(0)
        };
        assert!(decide_json() > 0, "{name} (json)");
        results.insert(format!("check_request_json: {name}"), json!(time(decide_json)));
    }
    println!("{}", serde_json::Value::Object(results));
    Ok(())
}

/// Median ns per call over 7 batches of ~150 ms.
fn time<T>(mut f: impl FnMut() -> T) -> f64 {
    for _ in 0..2_000 {
        black_box(f());
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed().as_millis() < 50 {
        black_box(f());
        n += 1;
    }
    let batch = (n * 3).max(1);
    let mut samples: Vec<f64> = (0..7)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..batch {
                black_box(f());
            }
            start.elapsed().as_nanos() as f64 / batch as f64
        })
        .collect();
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[3]
}
