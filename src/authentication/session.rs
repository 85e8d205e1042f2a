//! DRF's `SessionAuthentication` (work in progress).

use super::request::RawRequest;
use super::resolver::Resolver;
use super::settings::CompiledSettings;
use super::Step;

pub(crate) fn authenticate(_r: &RawRequest, _c: &CompiledSettings, _res: &dyn Resolver) -> Step {
    Step::None
}
