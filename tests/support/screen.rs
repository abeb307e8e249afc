//! What a terminal shows for what a line editor wrote to it, to tell where a message
//! landed relative to the prompt line.

/// What a terminal shows for `bytes`, line by line, as far as line editors draw: text
/// overwrites at the cursor; carriage return, newline, backspace, cursor moves (`ESC[nA`
/// up, `B` down, `C` right, `D` left) and erasing (`ESC[K`, `ESC[J`) act; titles,
/// character sets and other control sequences are dropped.
pub fn screen(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => {
                row += 1;
                col = 0;
            }
            '\u{8}' => col = col.saturating_sub(1),
            '\u{1b}' => {
                match chars.next() {
                    Some('[') => {}
                    // A title (`ESC ] … BEL` or `ESC ] … ESC \`): not on the screen.
                    Some(']') => {
                        while let Some(c) = chars.next() {
                            if c == '\u{7}' || (c == '\u{1b}' && chars.next() == Some('\\')) {
                                break;
                            }
                        }
                        continue;
                    }
                    // A character set (`ESC ( B`): one more character.
                    Some('(' | ')') => {
                        chars.next();
                        continue;
                    }
                    _ => continue,
                }
                let mut param = String::new();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        last = c;
                        break;
                    }
                    param.push(c);
                }
                let n = param.parse::<usize>().unwrap_or(1).max(1);
                match last {
                    'A' => row = row.saturating_sub(n),
                    'B' => row += n,
                    'C' => col += n,
                    'D' => col = col.saturating_sub(n),
                    'K' | 'J' => {
                        if let Some(line) = lines.get_mut(row) {
                            line.truncate(col);
                        }
                        if last == 'J' {
                            lines.truncate(row + 1);
                        }
                    }
                    _ => {}
                }
            }
            c if c < ' ' || c == '\u{7f}' => {}
            c => {
                while lines.len() <= row {
                    lines.push(Vec::new());
                }
                let line = &mut lines[row];
                while line.len() < col {
                    line.push(' ');
                }
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.push(c);
                }
                col += 1;
            }
        }
    }
    lines
        .into_iter()
        .map(|l| l.into_iter().collect::<String>().trim_end().to_owned())
        .collect()
}

/// Asserts that the terminal fed `bytes` shows `expected`, its non-empty lines in order,
/// with the Python version left out of autovenv's own lines.
pub fn assert_shows(bytes: &[u8], expected: &[String]) {
    let shown: Vec<String> = screen(bytes)
        .into_iter()
        .filter(|l| !l.is_empty())
        .map(|l| match l.find(" (Python ") {
            Some(at) if l.starts_with("autovenv:") => l[..at].to_owned(),
            _ => l,
        })
        .collect();
    assert_eq!(shown, expected, "{}", String::from_utf8_lossy(bytes));
}
