//! fish: the hook runs on the `fish_prompt` event and when `PWD` changes; its prompt
//! wrapper is on only from the `fish_prompt` event to `fish_preexec`.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::Shell;
use crate::shell_update::{Deactivate, PromptChange, Update};

/// fish 3.5 and later (the hook uses the `path` builtin).
pub struct Fish;

const HOOK: &str = include_str!("../../shells/fish.fish");

impl Shell for Fish {
    fn name(&self) -> &'static str {
        "fish"
    }

    fn hook(&self, exe: &Path) -> Vec<u8> {
        super::fill_template(HOOK, &quote(exe.as_os_str().as_bytes()))
    }

    /// The code runs inside the hook's `_autovenv_eval` function, so every variable it
    /// sets or erases names the global scope.
    fn render(&self, update: &Update) -> Vec<u8> {
        let set = |name: &str, value: &OsStr| {
            let mut line = format!("set -gx {name}").into_bytes();
            for word in list_words(name, value.as_bytes()) {
                line.push(b' ');
                line.extend(quote(word));
            }
            line
        };
        let mut out = super::env_lines(update, set, |name| format!("set -e -g {name}"));
        match update.deactivate {
            Deactivate::Leave => {}
            Deactivate::Define => out.extend_from_slice(b"_autovenv_deactivate_define\n"),
            Deactivate::Remove => out.extend_from_slice(b"_autovenv_deactivate_remove\n"),
        }
        if let Some(hand_over) = &update.hand_over {
            out.extend(super::hand_over_line(hand_over, quote));
        }
        match &update.prompt {
            PromptChange::Show(prefix) => {
                // fish prints what fish_prompt writes as it is: no prompt escaping.
                out.extend_from_slice(b"_autovenv_prompt_show ");
                out.extend(quote(prefix.as_bytes()));
                out.push(b'\n');
            }
            PromptChange::Remove => out.extend_from_slice(b"_autovenv_prompt_remove\n"),
        }
        // fish keeps no table of command locations, so a PATH change needs no rehash.
        out.extend(super::bookkeeping(
            update,
            quote,
            [
                "set -g _autovenv_session ",
                "\nset -g _autovenv_anchor ",
                "\nset -g _autovenv_names",
                "\n_autovenv_done\n",
            ],
            true,
        ));
        if update.again {
            out.extend_from_slice(b"set -g _autovenv_pwd ''\n");
        }
        out
    }
}

/// The words `set` gets for variable `name`: fish keeps every variable whose name ends
/// in `PATH` as a list and exports it joined with `:`, so those are split on `:` and
/// join back to exactly `value`. (fish itself turns empty entries into `.`, on import
/// too, so a PATH fish exported never has any.)
fn list_words<'a>(name: &str, value: &'a [u8]) -> Vec<&'a [u8]> {
    if name.ends_with("PATH") {
        value.split(|&b| b == b':').collect()
    } else {
        vec![value]
    }
}

/// fish encodes bytes that are not UTF-8 as characters U+F600 to U+F6FF; text that
/// holds those characters themselves is written byte by byte too, so it round-trips.
const ENCODED_BYTES: std::ops::RangeInclusive<char> = '\u{F600}'..='\u{F6FF}';

/// Quotes `bytes` as one fish word. Text goes in single quotes, where only `\\` and
/// `\'` are escapes (newlines are fine); each byte that is not UTF-8 is written as
/// `\xHH` outside the quotes, which fish reads as that raw byte.
pub fn quote(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    let mut quoted = false;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            let mut buf = [0u8; 4];
            let encoded = c.encode_utf8(&mut buf).as_bytes();
            if ENCODED_BYTES.contains(&c) {
                for &b in encoded {
                    raw(&mut out, &mut quoted, b);
                }
                continue;
            }
            if !quoted {
                out.push(b'\'');
                quoted = true;
            }
            if c == '\\' || c == '\'' {
                out.push(b'\\');
            }
            out.extend_from_slice(encoded);
        }
        for &b in chunk.invalid() {
            raw(&mut out, &mut quoted, b);
        }
    }
    if quoted || out.is_empty() {
        if !quoted {
            out.push(b'\'');
        }
        out.push(b'\'');
    }
    out
}

/// Writes byte `b` as `\xHH`, closing the single quotes first if they are open.
fn raw(out: &mut Vec<u8>, quoted: &mut bool, b: u8) {
    if *quoted {
        out.push(b'\'');
        *quoted = false;
    }
    out.extend_from_slice(format!("\\x{b:02x}").as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_every_kind_of_word() {
        super::super::assert_quotes!(quote,
            b"" => b"''",
            b"plain" => b"'plain'",
            b"it's \\ $(x)\n" => b"'it\\'s \\\\ $(x)\n'",
            b"a\xffb\xfe" => b"'a'\\xff'b'\\xfe",
            b"\xff" => b"\\xff",
            "\u{F6FF}".as_bytes() => b"\\xef\\x9b\\xbf",
        );
    }

    /// Runs `script` in a real fish and returns what it printed.
    fn fish(script: &[u8]) -> Vec<u8> {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let mut child = Command::new("fish")
            .arg("--no-config")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start fish");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(script)
            .expect("write script");
        let out = child.wait_with_output().expect("wait for fish");
        assert!(out.status.success());
        out.stdout
    }

    #[test]
    fn every_byte_round_trips_through_a_real_fish() {
        let values: Vec<Vec<u8>> = vec![
            (1..=255u8).collect(),
            (1..=255u8).rev().collect(),
            "caf\u{e9} \u{f6ff}\u{f600}x".as_bytes().to_vec(),
            b"a\nb'\\'\\\xc3(\xe2\x82 $(x) (y) {a,b} ~ * ?".to_vec(),
            Vec::new(),
        ];
        for value in values {
            // As an argument, and exported (what `set -gx` gives a child process).
            let mut script = b"printf '%s' ".to_vec();
            script.extend(quote(&value));
            script.extend_from_slice(b"\nset -gx AUTOVENV_BYTES ");
            script.extend(quote(&value));
            script.extend_from_slice(b"\nprintf '\\\\0'; env -0\n");
            let out = fish(&script);
            let (printed, env) = out.split_at(out.iter().position(|&b| b == 0).expect("NUL"));
            assert_eq!(printed, &value[..], "{value:?}");
            let mut exported = b"AUTOVENV_BYTES=".to_vec();
            exported.extend_from_slice(&value);
            assert!(
                env[1..].split(|&b| b == 0).any(|e| e == &exported[..]),
                "{value:?}"
            );
        }
    }

    #[test]
    fn a_path_list_joins_back_to_the_same_bytes_in_a_real_fish() {
        let path = b"/venv/it's a \\ \xff/bin:/usr/local/bin:/new\nline:/usr/bin:/bin".to_vec();
        let mut script = b"set -gx PATH".to_vec();
        for word in list_words("PATH", &path) {
            script.push(b' ');
            script.extend(quote(word));
        }
        script.extend_from_slice(b"\nbuiltin printf '%s\\\\0' (count $PATH)\n/usr/bin/env -0\n");
        let out = fish(&script);
        let mut entries = out.split(|&b| b == 0);
        assert_eq!(entries.next(), Some(&b"5"[..]));
        let mut exported = b"PATH=".to_vec();
        exported.extend_from_slice(&path);
        assert!(entries.any(|e| e == &exported[..]), "{out:?}");
    }

    #[test]
    fn path_lists_split_on_colons() {
        assert_eq!(list_words("PATH", b"/a:/b"), vec![&b"/a"[..], b"/b"]);
        assert_eq!(list_words("VIRTUAL_ENV", b"/a:/b"), vec![&b"/a:/b"[..]]);
    }
}
