//! HMAC-SHA-256 for HS256 tokens (PyJWT's `HMACAlgorithm(SHA256)`) on sha2's compression, with
//! the key's states computed once per policy: after the inner and outer padded key (as
//! `Hmac<Sha256>`'s precomputed schedule), and also after the first block of an access token,
//! which every access token simplejwt signs with HS256 shares ([`ACCESS_TOKEN_BLOCK`]): one
//! compression of the five of a typical token fewer per request.

use subtle::ConstantTimeEq;

/// SHA-256's initial state (FIPS 180-4, 5.3.3).
const IV: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/// SHA-256's block size, which is also HMAC's padded key size.
const BLOCK: usize = 64;

/// The first 64 bytes of the signing input of every access token simplejwt signs with HS256:
/// PyJWT's header segment (`{"alg":"HS256","typ":"JWT"}`), the dot, and the payload segment's
/// start (`{"token_type":"access",` begun: simplejwt writes `token_type` first). SHA-256 is a
/// chain of blocks, so the inner state after this block is computed once per key, not per token.
const ACCESS_TOKEN_BLOCK: &[u8; BLOCK] = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXN";

/// An HS256 key: the SHA-256 states after the inner (`key ^ 0x36`) and outer (`key ^ 0x5c`)
/// padded key blocks (RFC 2104), and the inner state after [`ACCESS_TOKEN_BLOCK`] too.
#[derive(Clone)]
pub(crate) struct Hs256Key {
    inner: [u32; 8],
    outer: [u32; 8],
    inner_access: [u32; 8],
}

impl Hs256Key {
    /// The states of `secret` (a key longer than a block is hashed first, as HMAC does).
    pub(crate) fn new(secret: &[u8]) -> Hs256Key {
        use sha2::Digest;
        let mut key = [0u8; BLOCK];
        let hashed: [u8; 32];
        let secret = if secret.len() > BLOCK {
            hashed = sha2::Sha256::digest(secret).into();
            &hashed
        } else {
            secret
        };
        for (k, s) in key.iter_mut().zip(secret) {
            *k = *s;
        }
        let padded = |pad: u8| {
            let mut block = key;
            for b in &mut block {
                *b ^= pad;
            }
            let mut state = IV;
            compress(&mut state, &block);
            state
        };
        let inner = padded(0x36);
        let mut inner_access = inner;
        compress(&mut inner_access, ACCESS_TOKEN_BLOCK);
        Hs256Key { inner, outer: padded(0x5c), inner_access }
    }

    /// The HMAC-SHA-256 of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 32] {
        let inner = match message.split_first_chunk::<BLOCK>() {
            Some((first, rest)) if first == ACCESS_TOKEN_BLOCK => finish(self.inner_access, 2, rest),
            _ => finish(self.inner, 1, message),
        };
        finish(self.outer, 1, &inner)
    }

    /// Whether `signature` is the HMAC of `message`, compared in constant time (PyJWT's
    /// `hmac.compare_digest(sig, self.sign(msg, key))`).
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let expected = self.sign(message);
        expected.len() == signature.len() && bool::from(expected.as_slice().ct_eq(signature))
    }
}

/// The digest of `message` hashed on from `state`, which has absorbed `absorbed` blocks already
/// (the padded key, and maybe [`ACCESS_TOKEN_BLOCK`]): the length in the final padding counts them.
fn finish(mut state: [u32; 8], absorbed: usize, message: &[u8]) -> [u8; 32] {
    let mut blocks = message.chunks_exact(BLOCK);
    for block in &mut blocks {
        if let Ok(block) = <&[u8; BLOCK]>::try_from(block) {
            compress(&mut state, block);
        }
    }
    let rest = blocks.remainder();
    // The rest, 0x80, zeros, and the bit length (big-endian) ending a block: one or two blocks.
    let mut tail = [0u8; 2 * BLOCK];
    for (t, r) in tail.iter_mut().zip(rest) {
        *t = *r;
    }
    if let Some(marker) = tail.get_mut(rest.len()) {
        *marker = 0x80;
    }
    let end = if rest.len() + 9 <= BLOCK { BLOCK } else { 2 * BLOCK };
    let bits = ((absorbed * BLOCK + message.len()) as u64).wrapping_mul(8);
    if let Some(length) = tail.get_mut(end - 8..end) {
        length.copy_from_slice(&bits.to_be_bytes());
    }
    for block in tail.chunks_exact(BLOCK).take(end / BLOCK) {
        if let Ok(block) = <&[u8; BLOCK]>::try_from(block) {
            compress(&mut state, block);
        }
    }
    let mut digest = [0u8; 32];
    for (out, word) in digest.chunks_exact_mut(4).zip(state) {
        out.copy_from_slice(&word.to_be_bytes());
    }
    digest
}

/// SHA-256's compression of one block (sha2's: hardware when the CPU has it).
fn compress(state: &mut [u32; 8], block: &[u8; BLOCK]) {
    sha2::compress256(state, &[(*block).into()]);
}

#[cfg(test)]
mod tests {
    use hmac::digest::KeyInit;
    use hmac::{Hmac, Mac};

    use super::*;

    /// A deterministic byte stream (xorshift), for inputs of every length.
    fn bytes(seed: u64, len: usize) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    #[test]
    fn hmac_equals_the_hmac_crate() {
        // Every message length across the one- and two-block tails, keys shorter than, equal
        // to and longer than a block (hashed first).
        for key_len in [0, 1, 32, 63, 64, 65, 200] {
            let secret = bytes(key_len as u64 + 7, key_len);
            let key = Hs256Key::new(&secret);
            for len in 0..600usize {
                // From 300 on, access tokens' signing inputs: the block computed once, then more.
                let message = match len.checked_sub(300) {
                    None => bytes(len as u64, len),
                    Some(rest) => [&ACCESS_TOKEN_BLOCK[..], &bytes(len as u64, rest)].concat(),
                };
                let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&secret).unwrap();
                mac.update(&message);
                let expected: [u8; 32] = mac.finalize().into_bytes().into();
                assert_eq!(key.sign(&message), expected, "key {key_len}, message {len}");
                assert!(key.verify(&message, &expected));
                let mut wrong = expected;
                wrong[len % 32] ^= 1;
                assert!(!key.verify(&message, &wrong));
                assert!(!key.verify(&message, &expected[..31]));
            }
        }
    }

    /// The block is what PyJWT and simplejwt write at the start of an access token.
    #[test]
    fn the_access_token_block_is_simplejwts() {
        let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjE3MDAwMDAwMDAsImp0aSI6IjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmIiwidXNlcl9pZCI6MX0";
        assert!(token.as_bytes().starts_with(ACCESS_TOKEN_BLOCK));
        let payload = crate::authentication::pybase64::base64url_decode(&token.as_bytes()[37..]).unwrap();
        assert!(payload.starts_with(br#"{"token_type":"access","#));
    }

    #[test]
    fn rfc_4231_case_2() {
        let key = Hs256Key::new(b"Jefe");
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        let hex: String = key.sign(b"what do ya want for nothing?").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, expected);
    }
}
