//! Checks on what the webview sends: ids, lengths. Nothing it sends is trusted.

use gatehouse_buzzin::inf;

use crate::Error;

/// An id or pass number, by the one id rule of the tree (`inf::is_id`).
pub(crate) fn check_id(id: &str, what: &str) -> Result<(), Error> {
    if inf::is_id(id) {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "\"{}\" is not a {what}: 1 to {} letters, digits, '-' or '_'.",
            quoted(id),
            inf::ID_MAX
        )))
    }
}

/// The longest search accepted, in characters.
pub const SEARCH_MAX: usize = 200;

/// A search as typed: at most [`SEARCH_MAX`] characters; `None` when it is blank.
pub(crate) fn check_search(search: &str) -> Result<Option<&str>, Error> {
    check_len(search, SEARCH_MAX, "A search")?;
    Ok(Some(search.trim()).filter(|s| !s.is_empty()))
}

/// The start of a text the caller sent, quoted back in an error: at most 40 characters.
pub(crate) fn quoted(text: &str) -> String {
    text.chars().take(40).collect()
}

/// A text of at most `max` characters.
pub(crate) fn check_len(text: &str, max: usize, what: &str) -> Result<(), Error> {
    if text.chars().count() > max {
        Err(Error::invalid_input(format!(
            "{what} is at most {max} characters."
        )))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_plain_words() {
        assert!(check_id("6650f0c1a2b3c4d5e6f70001", "permit id").is_ok());
        assert!(check_id("WP-000123", "permit id").is_ok());
        for bad in [
            "",
            "a b",
            "<script>",
            "x/../y",
            "..",
            "6650f0c1a2b3.c4d5e6f70001",
            &"a".repeat(65),
        ] {
            let err = check_id(bad, "permit id").unwrap_err();
            assert_eq!(err.code, crate::ErrorCode::InvalidInput, "{bad:?}");
        }
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert!(check_len(&"م".repeat(200), 200, "A search").is_ok());
        assert!(check_len(&"م".repeat(201), 200, "A search").is_err());
    }
}
