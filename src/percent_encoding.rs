//! Percent-encoding of raw bytes into a plain-ASCII token.
//!
//! `AUTOVENV_STATE` and the per-shell session carry paths and variable values, which are
//! arbitrary bytes. Encoding them into `[A-Za-z0-9/._~+,@-]` and `%XX` keeps those values
//! safe to embed in any shell's code and free of the separators the formats use.

/// Encodes `bytes` so that the result holds only unreserved ASCII and `%XX` escapes.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if is_unreserved(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 0x0f));
        }
    }
    out
}

/// Decodes what [`encode`] produced; `None` for anything it could not have produced.
pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if b == b'%' {
            let hi = hex_value(*text.get(i + 1)?)?;
            let lo = hex_value(*text.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else if is_unreserved(b) {
            out.push(b);
            i += 1;
        } else {
            return None;
        }
    }
    Some(out)
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'~' | b'+' | b',' | b'@' | b'-')
}

fn hex_digit(n: u8) -> char {
    char::from(b"0123456789ABCDEF"[usize::from(n & 0x0f)])
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        let encoded = encode(&all);
        assert!(encoded.bytes().all(|b| b.is_ascii_graphic()));
        assert!(!encoded.contains(':') && !encoded.contains(';'));
        assert_eq!(decode(encoded.as_bytes()), Some(all));
    }

    #[test]
    fn rejects_what_encode_never_writes() {
        assert_eq!(decode(b"%4"), None);
        assert_eq!(decode(b"%zz"), None);
        assert_eq!(decode(b"a b"), None);
        assert_eq!(decode(b"a:b"), None);
    }
}
