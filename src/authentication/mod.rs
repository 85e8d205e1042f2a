//! Authentication at the edge: DRF's authentication classes run on a raw request.
//!
//! INTERFACE STUB: the edge-authentication work replaces this module.

use serde::Deserialize;

/// The `settings` of a policy: options of the authentication classes (simplejwt's `SIMPLE_JWT`,
/// Django's CSRF settings, the token keyword, ...).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthenticationSettings {}
