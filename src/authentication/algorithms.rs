//! The JWT algorithms simplejwt accepts (`backends.ALLOWED_ALGORITHMS`) and the ones drf-gate
//! verifies, checked the same way by the core and the edge build.

use super::InputError;
use crate::error::InputErrorCode;

/// The hash of an algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// The family of a supported `ALGORITHM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// HS256/384/512.
    Hmac,
    /// RS256/384/512.
    Rsa,
    /// ES256/384.
    Ecdsa,
}

fn jwt_settings_error(path: &str, message: impl Into<String>) -> InputError {
    InputError::new(InputErrorCode::InvalidSettings, format!("$.settings.jwt.{path}"), message)
}

/// Checks `ALGORITHM`, and the HMAC secret when one is used: the same errors in the core and the
/// edge build.
pub(crate) fn check_algorithm(alg: &str, signing_key: Option<&str>) -> Result<(Family, Hash), InputError> {
    let hash = match alg.get(2..) {
        Some("384") => Hash::Sha384,
        Some("512") => Hash::Sha512,
        _ => Hash::Sha256,
    };
    let family = match alg {
        "HS256" | "HS384" | "HS512" => Family::Hmac,
        "RS256" | "RS384" | "RS512" => Family::Rsa,
        "ES256" | "ES384" => Family::Ecdsa,
        "ES512" | "ES256K" | "ES521" | "PS256" | "PS384" | "PS512" | "EdDSA" => {
            return Err(jwt_settings_error(
                "algorithm",
                format!("{alg} is accepted by simplejwt but not supported by drf-gate (HS256/384/512, RS256/384/512, ES256/384)"),
            ))
        }
        _ => return Err(jwt_settings_error("algorithm", format!("Unrecognized algorithm type '{alg}'"))),
    };
    if let (Family::Hmac, Some(secret)) = (family, signing_key) {
        check_hmac_secret(secret)?;
    }
    Ok((family, hash))
}

/// PyJWT's `HMACAlgorithm.prepare_key` refusals: these make every request a 500 on the server,
/// so they are configuration errors here.
fn check_hmac_secret(secret: &str) -> Result<(), InputError> {
    if secret.is_empty() {
        return Err(jwt_settings_error("signingKey", "HMAC key must not be empty."));
    }
    let trimmed = secret.trim_start();
    if secret.contains("-----BEGIN ") || secret.starts_with("ssh-") || secret.starts_with("ecdsa-sha2-") {
        return Err(jwt_settings_error(
            "signingKey",
            "The specified key is an asymmetric key or x509 certificate and should not be used as an HMAC secret.",
        ));
    }
    if trimmed.trim_start_matches('\u{feff}').starts_with('{') {
        if let Ok(crate::json::Json::Object(entries)) = crate::json::Json::parse(secret) {
            if entries.iter().any(|(key, _)| key == "kty") {
                return Err(jwt_settings_error(
                    "signingKey",
                    "The specified key looks like a JWK and should not be used directly as an HMAC secret.",
                ));
            }
        }
    }
    Ok(())
}
