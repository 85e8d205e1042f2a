//! simplejwt's `backends.py` (`TokenBackend`): the verification key prepared once from
//! `ALGORITHM`, `SIGNING_KEY` and `VERIFYING_KEY`, and PyJWT's signature check with it.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Sha384, Sha512};
use subtle::ConstantTimeEq;

use super::algorithms::{check_algorithm, Family, Hash};
use super::InputError;
use crate::error::InputErrorCode;

/// The compiled verification key of `ALGORITHM`.
#[derive(Clone, Debug)]
pub(crate) enum JwtKey {
    /// The HMAC key schedule (the inner and outer padded-key states), computed once per policy:
    /// each verification clones it instead of hashing the key twice again.
    Hmac(Box<HmacKey>),
    #[cfg(feature = "jwt-rsa")]
    Rsa { hash: Hash, key: Box<rsa::RsaPublicKey> },
    #[cfg(feature = "jwt-es256")]
    Es256(Box<p256::ecdsa::VerifyingKey>),
    #[cfg(feature = "jwt-es384")]
    Es384(Box<p384::ecdsa::VerifyingKey>),
}

fn settings_error(path: &str, message: impl Into<String>) -> InputError {
    InputError::new(InputErrorCode::InvalidSettings, format!("$.settings.jwt.{path}"), message)
}

impl JwtKey {
    /// Compiles `ALGORITHM` with its key (both checked by [`check_algorithm`] first), as
    /// `TokenBackend(algorithm, signing_key, verifying_key)` prepares them.
    /// `Ok(None)`: no key given (JWT classes cannot run).
    pub(crate) fn compile(
        algorithm: &str,
        signing_key: Option<&str>,
        verifying_key: Option<&Value>,
    ) -> Result<Option<JwtKey>, InputError> {
        match check_algorithm(algorithm, signing_key)? {
            (Family::Hmac, hash) => Ok(signing_key
                .and_then(|secret| HmacKey::new(hash, secret.as_bytes()))
                .map(|key| JwtKey::Hmac(Box::new(key)))),
            (Family::Rsa, hash) => match verifying_key {
                Some(key) => rsa_key(key, hash),
                None => Ok(None),
            },
            (Family::Ecdsa, _) => match verifying_key {
                Some(key) => ec_key(key, algorithm),
                None => Ok(None),
            },
        }
    }

    /// PyJWT's `alg_obj.verify(signing_input, key, signature)`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            JwtKey::Hmac(key) => key.verify(message, signature),
            #[cfg(feature = "jwt-rsa")]
            JwtKey::Rsa { hash, key } => {
                use rsa::signature::Verifier;
                let Ok(sig) = rsa::pkcs1v15::Signature::try_from(signature) else { return false };
                let key = (**key).clone();
                match hash {
                    Hash::Sha256 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key).verify(message, &sig).is_ok(),
                    Hash::Sha384 => rsa::pkcs1v15::VerifyingKey::<Sha384>::new(key).verify(message, &sig).is_ok(),
                    Hash::Sha512 => rsa::pkcs1v15::VerifyingKey::<Sha512>::new(key).verify(message, &sig).is_ok(),
                }
            }
            #[cfg(feature = "jwt-es256")]
            JwtKey::Es256(key) => {
                use p256::ecdsa::signature::Verifier;
                // raw r||s of exactly 64 bytes, as PyJWT's raw_to_der_signature requires.
                let Ok(sig) = p256::ecdsa::Signature::from_slice(signature) else { return false };
                signature.len() == 64 && key.verify(message, &sig).is_ok()
            }
            #[cfg(feature = "jwt-es384")]
            JwtKey::Es384(key) => {
                use p384::ecdsa::signature::Verifier;
                let Ok(sig) = p384::ecdsa::Signature::from_slice(signature) else { return false };
                signature.len() == 96 && key.verify(message, &sig).is_ok()
            }
        }
    }
}

/// An HMAC key with its schedule precomputed (`Hmac::new_from_slice` hashes a long key and
/// absorbs the inner and outer padded blocks; a clone of that state is all a verification needs).
#[derive(Clone)]
pub(crate) enum HmacKey {
    /// HS256 (simplejwt's default): also the state after an access token's first block ([`super::hs256`]).
    Sha256(super::hs256::Hs256Key),
    Sha384(Hmac<Sha384>),
    Sha512(Hmac<Sha512>),
}

impl std::fmt::Debug for HmacKey {
    // Never print key material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HmacKey::Sha256(_) => "HmacKey(SHA-256)",
            HmacKey::Sha384(_) => "HmacKey(SHA-384)",
            HmacKey::Sha512(_) => "HmacKey(SHA-512)",
        })
    }
}

impl HmacKey {
    /// The schedule of `secret` for `hash` (`None` never happens: HMAC takes keys of any length).
    pub(crate) fn new(hash: Hash, secret: &[u8]) -> Option<HmacKey> {
        use hmac::digest::KeyInit;
        Some(match hash {
            Hash::Sha256 => HmacKey::Sha256(super::hs256::Hs256Key::new(secret)),
            Hash::Sha384 => HmacKey::Sha384(<Hmac<Sha384> as KeyInit>::new_from_slice(secret).ok()?),
            Hash::Sha512 => HmacKey::Sha512(<Hmac<Sha512> as KeyInit>::new_from_slice(secret).ok()?),
        })
    }

    /// Whether `signature` is the HMAC of `message`, compared in constant time (PyJWT's
    /// `HMACAlgorithm.verify`: `hmac.compare_digest(sig, self.sign(msg, key))`).
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        fn run<M: Mac + Clone>(mac: &M, message: &[u8], signature: &[u8]) -> bool {
            let mut mac = mac.clone();
            mac.update(message);
            let expected = mac.finalize().into_bytes();
            expected.len() == signature.len() && bool::from(expected.ct_eq(signature))
        }
        match self {
            HmacKey::Sha256(key) => key.verify(message, signature),
            HmacKey::Sha384(mac) => run(mac, message, signature),
            HmacKey::Sha512(mac) => run(mac, message, signature),
        }
    }
}

/// A key given as a JWK object, or JSON text of one.
#[cfg_attr(not(any(feature = "jwt-rsa", feature = "jwt-es256", feature = "jwt-es384")), allow(dead_code))]
fn as_jwk(key: &Value) -> Option<serde_json::Map<String, Value>> {
    match key {
        Value::Object(map) => Some(map.clone()),
        Value::String(text) if text.trim_start().starts_with('{') => match serde_json::from_str(text) {
            Ok(Value::Object(map)) => Some(map),
            _ => None,
        },
        _ => None,
    }
}

#[cfg_attr(not(any(feature = "jwt-rsa", feature = "jwt-es256", feature = "jwt-es384")), allow(dead_code))]
fn jwk_bytes(jwk: &serde_json::Map<String, Value>, member: &str) -> Result<Vec<u8>, InputError> {
    jwk.get(member)
        .and_then(Value::as_str)
        .and_then(super::pybase64::base64url_decode_strict)
        .ok_or_else(|| settings_error("verifyingKey", format!("JWK member {member:?} missing or not base64url")))
}

// Never inlined into `JwtKey::compile`: wasm compiles a function lazily, whole, on its first
// call, so an HMAC policy's load must not pay for the RSA and EC key parsers.
#[cfg(feature = "jwt-rsa")]
#[inline(never)]
fn rsa_key(key: &Value, hash: Hash) -> Result<Option<JwtKey>, InputError> {
    use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
    use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
    let public = if let Some(jwk) = as_jwk(key) {
        if jwk.get("kty").and_then(Value::as_str) != Some("RSA") {
            return Err(settings_error("verifyingKey", "JWK kty must be \"RSA\" for RS* algorithms"));
        }
        let n = rsa::BigUint::from_bytes_be(&jwk_bytes(&jwk, "n")?);
        let e = rsa::BigUint::from_bytes_be(&jwk_bytes(&jwk, "e")?);
        rsa::RsaPublicKey::new(n, e).map_err(|e| settings_error("verifyingKey", format!("invalid RSA JWK: {e}")))?
    } else {
        let pem = key.as_str().ok_or_else(|| settings_error("verifyingKey", "expected a PEM string or a JWK"))?;
        rsa::RsaPublicKey::from_public_key_pem(pem)
            .or_else(|_| rsa::RsaPublicKey::from_pkcs1_pem(pem))
            .or_else(|_| rsa::RsaPrivateKey::from_pkcs8_pem(pem).map(|k| k.to_public_key()))
            .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(pem).map(|k| k.to_public_key()))
            .map_err(|_| settings_error("verifyingKey", "Could not parse the provided public key."))?
    };
    Ok(Some(JwtKey::Rsa { hash, key: Box::new(public) }))
}

#[cfg(not(feature = "jwt-rsa"))]
fn rsa_key(_key: &Value, _hash: Hash) -> Result<Option<JwtKey>, InputError> {
    Err(settings_error("algorithm", "RS* algorithms need the `jwt-rsa` feature"))
}

/// An ES256/ES384 key: a JWK (`kty` `EC` on the algorithm's curve) or a PEM public, PKCS#8 or
/// SEC1 private key. Each curve is its own feature (`jwt-es256`, `jwt-es384`).
#[inline(never)]
fn ec_key(key: &Value, alg: &str) -> Result<Option<JwtKey>, InputError> {
    let curve = if alg == "ES256" { "P-256" } else { "P-384" };
    let bad = |what: &str| settings_error("verifyingKey", format!("{what} (expected a {curve} key for {alg})"));
    let key = match as_jwk(key) {
        Some(jwk) => {
            if jwk.get("kty").and_then(Value::as_str) != Some("EC")
                || jwk.get("crv").and_then(Value::as_str) != Some(curve)
            {
                return Err(bad("JWK kty/crv mismatch"));
            }
            let (x, y) = (jwk_bytes(&jwk, "x")?, jwk_bytes(&jwk, "y")?);
            let mut sec1 = vec![4u8];
            sec1.extend_from_slice(&x);
            sec1.extend_from_slice(&y);
            EcKey::Sec1(sec1)
        }
        None => EcKey::Pem(key.as_str().ok_or_else(|| bad("expected a PEM string or a JWK"))?),
    };
    let compiled = if alg == "ES256" { es256_key(&key) } else { es384_key(&key) };
    match compiled {
        Some(Ok(key)) => Ok(Some(key)),
        Some(Err(EcKeyError::Jwk)) => Err(bad("invalid EC JWK")),
        Some(Err(EcKeyError::Pem)) => Err(bad("Could not parse the provided key")),
        None => Err(settings_error("algorithm", format!("{alg} needs the `jwt-{}` feature", alg.to_ascii_lowercase()))),
    }
}

#[cfg_attr(not(any(feature = "jwt-es256", feature = "jwt-es384")), allow(dead_code))]
enum EcKey<'a> {
    Sec1(Vec<u8>),
    Pem(&'a str),
}

#[cfg_attr(not(any(feature = "jwt-es256", feature = "jwt-es384")), allow(dead_code))]
enum EcKeyError {
    Jwk,
    Pem,
}

/// `None`: built without the curve.
#[cfg(feature = "jwt-es256")]
fn es256_key(key: &EcKey<'_>) -> Option<Result<JwtKey, EcKeyError>> {
    use p256::pkcs8::{DecodePrivateKey, DecodePublicKey};
    let key = match key {
        EcKey::Sec1(sec1) => p256::ecdsa::VerifyingKey::from_sec1_bytes(sec1).map_err(|_| EcKeyError::Jwk),
        EcKey::Pem(pem) => p256::ecdsa::VerifyingKey::from_public_key_pem(pem)
            .or_else(|_| p256::SecretKey::from_pkcs8_pem(pem).map(|k| p256::ecdsa::VerifyingKey::from(k.public_key())))
            .or_else(|_| p256::SecretKey::from_sec1_pem(pem).map(|k| p256::ecdsa::VerifyingKey::from(k.public_key())))
            .map_err(|_| EcKeyError::Pem),
    };
    Some(key.map(|k| JwtKey::Es256(Box::new(k))))
}

#[cfg(not(feature = "jwt-es256"))]
fn es256_key(_key: &EcKey<'_>) -> Option<Result<JwtKey, EcKeyError>> {
    None
}

/// `None`: built without the curve.
#[cfg(feature = "jwt-es384")]
fn es384_key(key: &EcKey<'_>) -> Option<Result<JwtKey, EcKeyError>> {
    use p384::pkcs8::{DecodePrivateKey, DecodePublicKey};
    let key = match key {
        EcKey::Sec1(sec1) => p384::ecdsa::VerifyingKey::from_sec1_bytes(sec1).map_err(|_| EcKeyError::Jwk),
        EcKey::Pem(pem) => p384::ecdsa::VerifyingKey::from_public_key_pem(pem)
            .or_else(|_| p384::SecretKey::from_pkcs8_pem(pem).map(|k| p384::ecdsa::VerifyingKey::from(k.public_key())))
            .or_else(|_| p384::SecretKey::from_sec1_pem(pem).map(|k| p384::ecdsa::VerifyingKey::from(k.public_key())))
            .map_err(|_| EcKeyError::Pem),
    };
    Some(key.map(|k| JwtKey::Es384(Box::new(k))))
}

#[cfg(not(feature = "jwt-es384"))]
fn es384_key(_key: &EcKey<'_>) -> Option<Result<JwtKey, EcKeyError>> {
    None
}
