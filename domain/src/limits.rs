//! How many entries each list in a request may hold: far more than any real record has, few
//! enough that one request cannot keep the service busy (every name, address and identifier is
//! sealed and blind-indexed under every key). A list over its limit is refused before any entry
//! is looked at.

use crate::errors::{FieldError, field_error};

pub const NAMES: usize = 20;
pub const BIRTH_DATES: usize = 5;
pub const DESCRIPTORS: usize = 30;
pub const ADDRESSES: usize = 50;
pub const IDENTIFIERS: usize = 50;
pub const PROTECTED_PERSONS: usize = 50;
pub const CONDITIONS: usize = 100;
/// Each list of a crime report's suspect particulars.
pub const SUSPECT_ITEMS: usize = 50;
/// Classifications and contact channels: each vocabulary is small, so a longer list can only
/// repeat itself.
pub const CLASSIFICATIONS: usize = 10;
pub const CHANNELS: usize = 10;

/// The problem with a list of `len` entries at `field`, if it is over `max`.
pub fn too_many(field: &str, len: usize, max: usize) -> Option<FieldError> {
    (len > max).then(|| field_error(field, "too_many", format!("at most {max} entries")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_at_its_limit_is_fine_and_one_more_is_refused() {
        assert!(too_many("names", NAMES, NAMES).is_none());
        let refused = too_many("names", NAMES + 1, NAMES).expect("over the limit");
        assert_eq!((refused.field.as_str(), refused.code), ("names", "too_many"));
    }
}
