//! `AUTOVENV_STATE`: what an activation replaced, carried in the environment so that the
//! shell (and its children) can restore it exactly.
//!
//! Format: `1:` then five `:`-separated fields — venv, project root, and the previous
//! `VIRTUAL_ENV`, `VIRTUAL_ENV_PROMPT`, `PYTHONHOME` — each `-` when it was unset or `=`
//! followed by the percent-encoded bytes; then the kind of `PATH` it found (`u`nset,
//! `e`mpty or `s`et).

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

use crate::percent_encoding;

/// The name of the exported variable that holds the state.
pub(crate) const VAR: &str = "AUTOVENV_STATE";

/// What `PATH` was before activation, so that removing the venv's entry can put an
/// unset or empty `PATH` back as it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathKind {
    /// `PATH` was not set.
    Unset,
    /// `PATH` was set to the empty string.
    Empty,
    /// `PATH` held at least one byte.
    Set,
}

/// One activation: the venv it turned on and the values it replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// The venv directory that was activated (its `bin` went on `PATH`).
    pub venv: PathBuf,
    /// The project root the venv serves; `deactivate` keeps this root off.
    pub root: PathBuf,
    /// `VIRTUAL_ENV` before activation.
    pub virtual_env: Option<OsString>,
    /// `VIRTUAL_ENV_PROMPT` before activation.
    pub virtual_env_prompt: Option<OsString>,
    /// `PYTHONHOME` before activation.
    pub pythonhome: Option<OsString>,
    /// `PATH` before activation.
    pub path: PathKind,
}

impl State {
    /// Encodes the state as the value of `AUTOVENV_STATE`.
    pub fn encode(&self) -> OsString {
        let mut out = String::from("1");
        for field in [
            Some(self.venv.as_os_str().to_owned()),
            Some(self.root.as_os_str().to_owned()),
            self.virtual_env.clone(),
            self.virtual_env_prompt.clone(),
            self.pythonhome.clone(),
        ] {
            out.push(':');
            match field {
                None => out.push('-'),
                Some(value) => {
                    out.push('=');
                    out.push_str(&percent_encoding::encode(value.as_bytes()));
                }
            }
        }
        out.push(':');
        out.push(match self.path {
            PathKind::Unset => 'u',
            PathKind::Empty => 'e',
            PathKind::Set => 's',
        });
        OsString::from(out)
    }

    /// Decodes a value of `AUTOVENV_STATE`; `None` when it is not one this version wrote.
    pub fn decode(value: &[u8]) -> Option<State> {
        let mut fields = value.split(|&b| b == b':');
        if fields.next()? != b"1" {
            return None;
        }
        let mut next_value = || -> Option<Option<OsString>> {
            let field = fields.next()?;
            match field.split_first()? {
                (b'-', []) => Some(None),
                (b'=', rest) => Some(Some(OsString::from_vec(percent_encoding::decode(rest)?))),
                _ => None,
            }
        };
        let venv = PathBuf::from(next_value()??);
        let root = PathBuf::from(next_value()??);
        let virtual_env = next_value()?;
        let virtual_env_prompt = next_value()?;
        let pythonhome = next_value()?;
        let path = match fields.next()? {
            b"u" => PathKind::Unset,
            b"e" => PathKind::Empty,
            b"s" => PathKind::Set,
            _ => return None,
        };
        if fields.next().is_some() || !venv.is_absolute() || !root.is_absolute() {
            return None;
        }
        Some(State {
            venv,
            root,
            virtual_env,
            virtual_env_prompt,
            pythonhome,
            path,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> State {
        State {
            venv: PathBuf::from(OsString::from_vec(b"/a b/\xff:$(x)\n/.venv".to_vec())),
            root: PathBuf::from("/a b"),
            virtual_env: Some(OsString::new()),
            virtual_env_prompt: None,
            pythonhome: Some(OsString::from("/opt/py:x")),
            path: PathKind::Empty,
        }
    }

    #[test]
    fn round_trips_bytes_empty_and_unset() {
        let state = sample();
        let encoded = state.encode();
        assert!(encoded.as_bytes().iter().all(u8::is_ascii_graphic));
        assert_eq!(State::decode(encoded.as_bytes()), Some(state));
    }

    #[test]
    fn rejects_corruption() {
        let encoded = sample().encode().into_vec();
        for cut in 0..encoded.len() {
            assert_eq!(
                State::decode(&encoded[..cut]),
                None,
                "prefix of {cut} bytes"
            );
        }
        assert_eq!(State::decode(b"garbage"), None);
        assert_eq!(State::decode(b"2:=%2F:=%2F:-:-:-:s"), None);
        assert_eq!(State::decode(b"1:=rel:=%2F:-:-:-:s"), None);
        assert_eq!(State::decode(b"1:=%2F:=%2F:-:-:-:s:extra"), None);
    }
}
