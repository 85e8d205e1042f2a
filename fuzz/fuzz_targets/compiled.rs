#![no_main]
//! The compiled policy form (`Gate::from_compiled`): fuzzed payloads behind a valid header (the
//! checksum recomputed, so the decoder itself is reached), and valid compiled policies with
//! fuzzed bytes written over them. A policy that loads is asked a few questions.
use drf_gate::compiled::{FORMAT_VERSION, HEADER_LEN, MAGIC};
use drf_gate::Gate;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// FNV-1a 64, as the format's header checksum (`compiled::wire::checksum`).
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

fn framed(payload: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER_LEN + payload.len());
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&checksum(payload).to_le_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

fn seed_payload() -> &'static [u8] {
    static SEED: OnceLock<Vec<u8>> = OnceLock::new();
    SEED.get_or_init(|| {
        let policy = r#"{"authentication": ["session", "token"], "permissions": ["IsAuthenticated"],
          "classes": {"IsOwner": {"hasObjectPermission": "obj.owner == request.user.id", "message": "no"}},
          "views": {"posts": {"model": "blog.post", "permissions": ["IsOwner | IsAdminUser", "DjangoModelPermissions"]}},
          "routes": [{"pattern": "/api/posts/{pk}/", "view": "posts", "detail": true}]}"#;
        Gate::from_json(policy).map(|g| g.to_compiled().split_off(HEADER_LEN)).unwrap_or_default()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let bytes = match mode % 3 {
        0 => framed(rest),
        1 => {
            let mut payload = seed_payload().to_vec();
            if payload.is_empty() {
                return;
            }
            let at = rest.first().map_or(0, |&b| usize::from(b) * payload.len() / 256);
            for (offset, &b) in rest.iter().skip(1).enumerate() {
                if let Some(slot) = payload.get_mut(at + offset) {
                    *slot = b;
                }
            }
            framed(&payload)
        }
        _ => rest.to_vec(),
    };
    let Ok(gate) = Gate::from_compiled(&bytes) else { return };
    for context in [
        r#"{"view": "posts", "method": "GET"}"#,
        r#"{"view": "posts", "method": "DELETE", "detail": true, "user": {"id": 2}, "object": {"owner": 2}}"#,
    ] {
        let _ = gate.check_json(context).map(|decision| serde_json::to_string(&decision));
    }
    let _ = gate.route("/api/posts/1/");
});
