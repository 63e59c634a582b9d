//! Page sizes for every list, API and CLI alike: one rule, one place.

/// Rows per page when the caller does not say.
pub const DEFAULT_PAGE: u64 = 50;
/// The largest page: every row on a page is decrypted and audited, so a page is bounded.
pub const MAX_PAGE: u64 = 500;

/// The page size asked for, or the default; `Err` with the message to show when it is out of
/// range.
pub fn page_size(requested: Option<u64>) -> Result<u64, &'static str> {
    match requested {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(_) => Err("must be 1 to 500"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_one_to_five_hundred_rows_fifty_by_default() {
        assert_eq!(page_size(None), Ok(DEFAULT_PAGE));
        assert_eq!(page_size(Some(1)), Ok(1));
        assert_eq!(page_size(Some(MAX_PAGE)), Ok(MAX_PAGE));
        assert!(page_size(Some(0)).is_err());
        assert!(page_size(Some(MAX_PAGE + 1)).is_err());
    }
}
