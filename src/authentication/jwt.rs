//! simplejwt's `JWTAuthentication` (work in progress: returns None for now).

use serde_json::Value;

use super::request::RawRequest;
use super::resolver::Resolver;
use super::settings::{CompiledSettings, JwtSettings};
use super::{InputError, Step};

/// The compiled verification key.
#[derive(Clone, Debug)]
pub(crate) struct JwtKey;

impl JwtKey {
    pub(crate) fn compile(settings: &JwtSettings) -> Result<Option<JwtKey>, InputError> {
        if !matches!(settings.algorithm.as_str(), "HS256" | "HS384" | "HS512") {
            return Err(InputError::new("invalid_settings", "$.settings.jwt.algorithm", "unsupported algorithm"));
        }
        Ok(None)
    }
}

/// A simplejwt token class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenClass {
    /// `AccessToken`.
    Access,
}

impl TokenClass {
    pub(crate) fn from_name(_name: &str) -> Option<TokenClass> {
        Some(TokenClass::Access)
    }
}

pub(crate) fn authenticate(_r: &RawRequest, _s: bool, _c: &CompiledSettings, _res: &dyn Resolver, _now: f64) -> Step {
    let _ = Value::Null;
    Step::None
}
