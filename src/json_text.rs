//! JSON string literals, written the two ways autovenv needs: readable for people
//! (`autovenv status --json`), all-numeric for the shells that parse what the hook gets.

/// How a JSON string writes the characters it must or may escape.
#[derive(Clone, Copy)]
pub enum Escapes {
    /// `\n`, `\r` and `\t` by name, the other control characters as `\u00XX`, DEL as
    /// it is.
    Readable,
    /// Every control character, and DEL, as `\u00XX`.
    Numeric,
}

/// `text` as a JSON string literal: `"` and `\` escaped, control characters as
/// `escapes` says, everything else as it is.
pub fn quote(text: &str, escapes: Escapes) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match (c, escapes) {
            ('"', _) => out.push_str("\\\""),
            ('\\', _) => out.push_str("\\\\"),
            ('\n', Escapes::Readable) => out.push_str("\\n"),
            ('\r', Escapes::Readable) => out.push_str("\\r"),
            ('\t', Escapes::Readable) => out.push_str("\\t"),
            ('\u{7f}', Escapes::Numeric) => out.push_str("\\u007f"),
            (c, _) if u32::from(c) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            (c, _) => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_ways_escape_what_they_must() {
        let text = "a\"b\\c\n\t\u{1}\u{7f}é";
        assert_eq!(
            quote(text, Escapes::Readable),
            "\"a\\\"b\\\\c\\n\\t\\u0001\u{7f}é\""
        );
        assert_eq!(
            quote(text, Escapes::Numeric),
            "\"a\\\"b\\\\c\\u000a\\u0009\\u0001\\u007fé\""
        );
    }
}
