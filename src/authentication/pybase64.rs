//! Python's `base64.b64decode` (non-validating) and PyJWT's `base64url_decode`.
//!
//! `binascii.a2b_base64` in non-strict mode discards every byte outside the alphabet, stops at
//! the first pad sequence that completes a quantum, and rejects a dangling data character.

/// Why Python's decoder raised `binascii.Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base64Error {
    /// `Incorrect padding`.
    IncorrectPadding,
    /// `Invalid base64-encoded string: number of data characters (N) cannot be 1 more than a
    /// multiple of 4`.
    DanglingCharacter,
}

fn sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// `base64.b64decode(data)`: standard alphabet, junk discarded, padding as CPython checks it.
///
/// ```
/// use drf_gate::authentication::pybase64::{b64decode, Base64Error};
/// assert_eq!(b64decode(b"dXNlcjpwdw==").as_deref(), Ok(&b"user:pw"[..]));
/// assert_eq!(b64decode(b"dXNlcjpwdw==!!").as_deref(), Ok(&b"user:pw"[..]));
/// assert_eq!(b64decode(b"=a="), Err(Base64Error::DanglingCharacter));
/// assert_eq!(b64decode(b"abc"), Err(Base64Error::IncorrectPadding));
/// ```
pub fn b64decode(data: &[u8]) -> Result<Vec<u8>, Base64Error> {
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 3);
    let mut quad_pos = 0u8;
    let mut left: u8 = 0;
    let mut pads = 0u8;
    for &byte in data {
        if byte == b'=' {
            if quad_pos >= 2 {
                pads = pads.saturating_add(1);
                if quad_pos + pads >= 4 {
                    return Ok(out);
                }
            }
            continue;
        }
        let Some(value) = sextet(byte) else { continue };
        pads = 0;
        match quad_pos {
            0 => {
                quad_pos = 1;
                left = value;
            }
            1 => {
                quad_pos = 2;
                out.push((left << 2) | (value >> 4));
                left = value & 0x0f;
            }
            2 => {
                quad_pos = 3;
                out.push((left << 4) | (value >> 2));
                left = value & 0x03;
            }
            _ => {
                quad_pos = 0;
                out.push((left << 6) | value);
                left = 0;
            }
        }
    }
    match quad_pos {
        0 => Ok(out),
        1 => Err(Base64Error::DanglingCharacter),
        _ => Err(Base64Error::IncorrectPadding),
    }
}

/// PyJWT's `base64url_decode`: pad to a multiple of 4, map `-_` to `+/`, then [`b64decode`].
///
/// ```
/// use drf_gate::authentication::pybase64::base64url_decode;
/// assert_eq!(base64url_decode(b"eyJhIjoxfQ").as_deref(), Ok(&b"{\"a\":1}"[..]));
/// ```
pub fn base64url_decode(data: &[u8]) -> Result<Vec<u8>, Base64Error> {
    let mut padded: Vec<u8> = data
        .iter()
        .map(|&b| match b {
            b'-' => b'+',
            b'_' => b'/',
            other => other,
        })
        .collect();
    let rem = data.len() % 4;
    if rem > 0 {
        padded.extend(std::iter::repeat_n(b'=', 4 - rem));
    }
    b64decode(&padded)
}

/// Strict unpadded base64url decoding for key material (JWK members), not Python-compatible on
/// purpose: keys come from the operator, so junk there is a configuration error.
pub(crate) fn base64url_decode_strict(data: &str) -> Option<Vec<u8>> {
    let bytes = data.trim_end_matches('=').as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut translated = Vec::with_capacity(bytes.len());
    for &b in bytes {
        let mapped = match b {
            b'-' => b'+',
            b'_' => b'/',
            b'+' | b'/' => return None,
            other => other,
        };
        sextet(mapped)?;
        translated.push(mapped);
    }
    let rem = translated.len() % 4;
    if rem > 0 {
        translated.extend(std::iter::repeat_n(b'=', 4 - rem));
    }
    b64decode(&translated).ok()
}

/// Standard base64 encoding with padding (for minting and tests).
#[allow(dead_code)]
pub(crate) fn b64encode(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let char_at = |i: u32| ALPHABET.get((i & 63) as usize).map_or('A', |&c| c as char);
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b0 = u32::from(chunk.first().copied().unwrap_or(0));
        let b1 = u32::from(chunk.get(1).copied().unwrap_or(0));
        let b2 = u32::from(chunk.get(2).copied().unwrap_or(0));
        let n = (b0 << 16) | (b1 << 8) | b2;
        out.push(char_at(n >> 18));
        out.push(char_at(n >> 12));
        out.push(if chunk.len() > 1 { char_at(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { char_at(n) } else { '=' });
    }
    out
}

/// The fast path of [`base64url_decode`] for well-formed input: every byte in the URL-safe
/// alphabet (`A-Z a-z 0-9 - _`, no padding, no junk) and a length that is not 1 more than a
/// multiple of 4. `None` for anything else: the caller then runs the exact emulation. On the
/// inputs it accepts it returns what [`base64url_decode`] returns (tests/jwt_fast_path.rs
/// compares them on every JWT vector and on random and mutated tokens).
///
/// ```
/// use drf_gate::authentication::pybase64::{base64url_decode, base64url_decode_fast};
/// assert_eq!(base64url_decode_fast(b"eyJhIjoxfQ"), Some(b"{\"a\":1}".to_vec()));
/// assert_eq!(base64url_decode_fast(b"eyJhIjoxfQ=="), None); // padding: the exact path decides
/// assert_eq!(base64url_decode_fast(b"eyJh").as_deref(), base64url_decode(b"eyJh").ok().as_deref());
/// ```
pub fn base64url_decode_fast(data: &[u8]) -> Option<Vec<u8>> {
    if data.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 2);
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let [a, b, c, d] = chunk else { return None };
        let n = (u32::from(url_sextet(*a)?) << 18)
            | (u32::from(url_sextet(*b)?) << 12)
            | (u32::from(url_sextet(*c)?) << 6)
            | u32::from(url_sextet(*d)?);
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    match chunks.remainder() {
        [] => {}
        [a, b] => {
            let n = (u32::from(url_sextet(*a)?) << 18) | (u32::from(url_sextet(*b)?) << 12);
            out.push((n >> 16) as u8);
        }
        [a, b, c] => {
            let n = (u32::from(url_sextet(*a)?) << 18)
                | (u32::from(url_sextet(*b)?) << 12)
                | (u32::from(url_sextet(*c)?) << 6);
            out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8]);
        }
        _ => return None,
    }
    Some(out)
}

fn url_sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}
