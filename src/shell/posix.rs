//! Quoting for POSIX-family shells (bash, zsh): single quotes around raw bytes.

/// Quotes `bytes` as one word: `'...'`, each `'` written as `'\''`. Every byte but NUL
/// (which no environment value or path holds) survives as it is, newlines and invalid
/// UTF-8 included. Text goes through `shell_words`; other bytes are quoted the same way.
pub fn quote(bytes: &[u8]) -> Vec<u8> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        if !text.is_empty() {
            return shell_words::quote(text).into_owned().into_bytes();
        }
    }
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'\'');
    for &b in bytes {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_every_kind_of_word() {
        assert_eq!(quote(b""), b"''");
        assert_eq!(quote(b"plain"), b"plain");
        assert_eq!(quote(b"it's $(x)"), b"'it'\\''s $(x)'");
        assert_eq!(quote(b"a\xffb'"), b"'a\xffb'\\'''");
    }
}
