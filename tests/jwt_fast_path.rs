#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! The JWT fast paths (base64url and ASCII JSON claims) against the exact emulation of Python:
//! equal on every token of the simplejwt vectors, and on random and mutated tokens and claims.
//! The fast path may decline (`None`) anything; what it accepts must decode exactly as Python.

mod common;

use drf_gate::authentication::jwt::{decode_segment, decode_segment_exact};
use drf_gate::authentication::pybase64::{base64url_decode, base64url_decode_fast};
use drf_gate::authentication::pyjson::{loads_bytes, loads_bytes_fast};
use serde_json::Value;

/// xorshift64*: deterministic, so a failure names a reproducible case.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn vector_tokens() -> Vec<String> {
    let vectors: Value = common::jsonl(include_str!("authentication_vectors/jwt.jsonl"));
    let mut tokens = Vec::new();
    for scenario in vectors["scenarios"].as_object().unwrap().values() {
        for case in scenario["cases"].as_array().unwrap() {
            let header = case["header"].as_str().unwrap();
            let token = header.split_ascii_whitespace().nth(1).unwrap_or(header);
            tokens.push(token.to_string());
        }
    }
    assert!(tokens.len() > 300, "{}", tokens.len());
    tokens
}

/// The fast and exact paths agree on one segment, and on the JSON it decodes to.
fn check_segment(segment: &[u8]) -> (bool, bool) {
    let exact = decode_segment_exact(segment);
    assert_eq!(decode_segment(segment), exact, "segment {:?}", String::from_utf8_lossy(segment));
    if let Some(fast) = base64url_decode_fast(segment) {
        assert_eq!(Some(fast), base64url_decode(segment).ok(), "base64url {:?}", String::from_utf8_lossy(segment));
    }
    let mut json_fast = false;
    if let Some(bytes) = &exact {
        json_fast = check_json(bytes);
    }
    (base64url_decode_fast(segment).is_some(), json_fast)
}

/// `Some` from the fast JSON path must be exactly what `json.loads` builds.
fn check_json(bytes: &[u8]) -> bool {
    match loads_bytes_fast(bytes) {
        Some(fast) => {
            assert_eq!(Ok(fast), loads_bytes(bytes), "claims {:?}", String::from_utf8_lossy(bytes));
            true
        }
        None => false,
    }
}

#[test]
fn fast_paths_equal_the_emulation_on_every_vector_token() {
    let (mut segments, mut fast_base64, mut fast_json) = (0, 0, 0);
    for token in vector_tokens() {
        for segment in token.split('.') {
            let (b, j) = check_segment(segment.as_bytes());
            segments += 1;
            fast_base64 += usize::from(b);
            fast_json += usize::from(j);
        }
    }
    // The fast paths are really taken on well-formed tokens (most of the vectors).
    assert!(fast_base64 * 10 > segments * 8, "{fast_base64} of {segments}");
    assert!(fast_json > 300, "{fast_json}");
}

#[test]
fn fast_paths_equal_the_emulation_on_mutated_tokens() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let tokens = vector_tokens();
    let junk: &[u8] = b"=+/-_.!~ \t\x00\xff\xc3AZaz09";
    for round in 0..20_000 {
        let mut token = rng.pick(&tokens).clone().into_bytes();
        for _ in 0..=rng.below(3) {
            let at = rng.below(token.len() + 1);
            match rng.below(4) {
                0 if at < token.len() => token[at] = *rng.pick(junk),
                1 => token.insert(at, *rng.pick(junk)),
                2 if at < token.len() => {
                    token.remove(at);
                }
                _ => token.truncate(at),
            }
        }
        for segment in token.split(|&b| b == b'.') {
            check_segment(segment);
        }
        let _ = round;
    }
}

#[test]
fn fast_paths_equal_the_emulation_on_random_segments() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let alphabet: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut fast = 0;
    for _ in 0..20_000 {
        let len = rng.below(24);
        let mut segment: Vec<u8> = (0..len).map(|_| *rng.pick(alphabet)).collect();
        if rng.below(5) == 0 {
            segment.push(*rng.pick(b"=+/ .\n"));
        }
        fast += usize::from(check_segment(&segment).0);
    }
    assert!(fast > 10_000, "{fast}");
}

/// Claims documents near the fast path's edges: escapes, floats, nesting, non-ASCII, repeated
/// keys, leading zeros, long integers, whitespace, truncations.
#[test]
fn fast_json_equals_the_emulation_on_random_and_mutated_claims() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let keys = ["exp", "iat", "jti", "user_id", "token_type", "a", "", "é", "a\\\"b", "exp"];
    let values = [
        "1",
        "0",
        "-0",
        "-1",
        "01",
        "1.5",
        "1e3",
        "1E+2",
        "123456789012345678",
        "1234567890123456789",
        "99999999999999999999999",
        "\"x\"",
        "\"\"",
        "\"\\u00e9\"",
        "\"\\n\"",
        "\"é\"",
        "\"a\tb\"",
        "true",
        "false",
        "null",
        "NaN",
        "Infinity",
        "-Infinity",
        "[1]",
        "{}",
        "{\"a\":1}",
        "-",
        "tru",
        "\"unterminated",
    ];
    let spaces = ["", " ", "\n", "\t", "\r\n", "\u{a0}"];
    let mut accepted = 0;
    for _ in 0..30_000 {
        let mut doc = String::from(*rng.pick(&spaces));
        doc.push('{');
        let n = rng.below(5);
        for i in 0..n {
            if i > 0 {
                doc.push(',');
            }
            doc.push_str(rng.pick::<&str>(&spaces));
            doc.push_str(&format!("\"{}\"", rng.pick(&keys)));
            doc.push_str(rng.pick::<&str>(&spaces));
            doc.push(':');
            doc.push_str(rng.pick::<&str>(&spaces));
            doc.push_str(rng.pick::<&str>(&values));
        }
        doc.push_str(rng.pick::<&str>(&spaces));
        doc.push('}');
        doc.push_str(rng.pick::<&str>(&spaces));
        let mut bytes = doc.into_bytes();
        if rng.below(4) == 0 && !bytes.is_empty() {
            let at = rng.below(bytes.len());
            match rng.below(3) {
                0 => bytes[at] = *rng.pick(b"{}[],:\"\\ 0-\x00\xef\xbb\xbf\xff"),
                1 => bytes.truncate(at),
                _ => bytes.insert(at, *rng.pick(b",}\"\\")),
            }
        }
        accepted += usize::from(check_json(&bytes));
    }
    assert!(accepted > 1_000, "{accepted}");
}
