//! Text from the API made inert before it is shown outside a web view: a terminal line, a
//! printed pass. A hostile value must not move a cursor, rewrite a line or a window title, or
//! flip the direction of what follows it.

use std::borrow::Cow;

/// Whether `c` could change how what follows it is shown: a control character (C0, DEL, C1:
/// escape sequences, carriage return, backspace…) or a bidi control (embeddings, overrides,
/// isolates, marks).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// The one sanitizer of the tree: `text` with every control and bidi control character
/// replaced by a space, on one line.
pub fn inert(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_unsafe) {
        Cow::Owned(
            text.chars()
                .map(|c| if is_unsafe(c) { ' ' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_bidi_controls_become_spaces_and_the_rest_stays() {
        assert_eq!(inert("Paint\u{1b}[2K\r\u{202e}exe\u{7}"), "Paint [2K  exe ");
        assert!(matches!(inert("عبدالله المهيري · WP-1"), Cow::Borrowed(_)));
    }
}
