//! The optional config file, `$XDG_CONFIG_HOME/autovenv/config.toml`, and the
//! environment variables that override it.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Which program makes a new venv.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Creator {
    /// `uv venv --seed` when `uv` is on `PATH`, else `<python> -m venv`.
    Auto,
    /// Always `uv venv --seed`.
    Uv,
    /// Always `<python> -m venv`.
    Venv,
    /// Always `virtualenv`.
    Virtualenv,
}

/// Everything autovenv can be configured with, defaults filled in.
#[derive(Clone, Debug)]
pub struct Config {
    /// Directory names that hold a venv, nearest first (`.venv`, `venv`).
    pub venv_names: Vec<OsString>,
    /// Files whose presence makes a directory a Python project root.
    pub project_markers: Vec<OsString>,
    /// Entries whose presence makes a directory a version-control root.
    pub vcs_markers: Vec<OsString>,
    /// Whether a trusted project without a venv gets one on entry.
    pub auto_create: bool,
    /// Which program creates venvs.
    pub creator: Creator,
    /// The interpreter to create venvs with when `.python-version` names none.
    pub python: Option<OsString>,
    /// Trees in which every project is trusted.
    pub trusted_roots: Vec<PathBuf>,
    /// Whether, under `trusted_roots`, a venv that came with the checkout (tracked by
    /// its VCS, not made by autovenv) is activated too. Off: such a venv needs an allow.
    pub trusted_roots_committed_venvs: bool,
    /// Silences informational messages (never errors).
    pub quiet: bool,
    /// Template for `VIRTUAL_ENV_PROMPT` when `pyvenv.cfg` sets no prompt:
    /// `{venv}` is the venv directory's name, `{project}` the project directory's.
    pub prompt: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            venv_names: vec![".venv".into(), "venv".into()],
            project_markers: [
                "pyproject.toml",
                "setup.py",
                "setup.cfg",
                "requirements.txt",
                "Pipfile",
                ".python-version",
            ]
            .into_iter()
            .map(OsString::from)
            .collect(),
            vcs_markers: vec![".git".into(), ".hg".into(), ".jj".into()],
            auto_create: true,
            creator: Creator::Auto,
            python: None,
            trusted_roots: Vec::new(),
            trusted_roots_committed_venvs: false,
            quiet: false,
            prompt: "{venv}".into(),
        }
    }
}

/// A config file that could not be used, said in one line.
#[derive(Debug)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Where the config file lives (whether or not it exists).
pub fn path() -> Option<PathBuf> {
    Some(dirs::config_dir()?.join("autovenv").join("config.toml"))
}

/// Loads the config file (if any) and applies the environment's overrides. A broken file
/// gives the defaults plus the error, so the caller can report it and carry on.
pub fn load() -> (Config, Option<ConfigError>) {
    let mut config = Config::default();
    let mut error = None;
    if let Some(path) = path() {
        match crate::fsread::read_bounded(&path, crate::fsread::CONFIG_LIMIT) {
            Ok(bytes) => {
                if let Err(e) = apply_file(&mut config, &path, &bytes) {
                    error = Some(e);
                }
            }
            Err(crate::fsread::ReadError::Missing) => {}
            Err(e) => {
                error = Some(ConfigError {
                    path,
                    line: None,
                    message: format!(
                        "cannot read it ({e}): make it a readable regular file or remove it"
                    ),
                })
            }
        }
    }
    apply_env(&mut config);
    (config, error)
}

/// Parses the bytes of a config file named `path` (the name is only for messages).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Config, ConfigError> {
    let mut config = Config::default();
    apply_file(&mut config, path, bytes)?;
    Ok(config)
}

fn apply_file(config: &mut Config, path: &Path, bytes: &[u8]) -> Result<(), ConfigError> {
    let fail = |line: Option<usize>, message: String| ConfigError {
        path: path.to_owned(),
        line,
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        fail(
            Some(line),
            "not valid UTF-8: TOML files must be UTF-8".into(),
        )
    })?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let message = e.message().trim().replace('\n', " ");
        fail(line, format!("{message}: fix the TOML syntax"))
    })?;
    let line_of = |key: &str| {
        text.lines()
            .position(|l| {
                let l = l.trim_start();
                l.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
            .map(|i| i + 1)
    };
    for (key, value) in &table {
        let wrong_type = |expected: &str| {
            fail(
                line_of(key),
                format!("key `{key}` must be {expected}: fix or remove that key"),
            )
        };
        let strings = || -> Result<Vec<String>, ConfigError> {
            value
                .as_array()
                .and_then(|items| {
                    items
                        .iter()
                        .map(|v| v.as_str().map(str::to_owned))
                        .collect::<Option<Vec<_>>>()
                })
                .ok_or_else(|| wrong_type("an array of strings"))
        };
        let boolean = || value.as_bool().ok_or_else(|| wrong_type("true or false"));
        let string = || {
            value
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| wrong_type("a string"))
        };
        match key.as_str() {
            "venv_names" => {
                let names = strings()?;
                if names.is_empty() || names.iter().any(|n| n.is_empty() || n.contains('/')) {
                    return Err(fail(
                        line_of(key),
                        "key `venv_names` needs one or more plain directory names, e.g. [\".venv\"]"
                            .into(),
                    ));
                }
                config.venv_names = names.into_iter().map(OsString::from).collect();
            }
            "project_markers" => {
                let markers = strings()?;
                if markers.iter().any(|n| n.is_empty() || n.contains('/')) {
                    return Err(fail(
                        line_of(key),
                        "key `project_markers` needs plain file names, e.g. [\"pyproject.toml\"]"
                            .into(),
                    ));
                }
                config.project_markers = markers.into_iter().map(OsString::from).collect();
            }
            "auto_create" => config.auto_create = boolean()?,
            "creator" => {
                let creator = string()?;
                config.creator = parse_creator(&creator).ok_or_else(|| {
                    fail(
                        line_of(key),
                        format!(
                            "key `creator` is \"{creator}\": use \"auto\", \"uv\", \"venv\" or \"virtualenv\""
                        ),
                    )
                })?;
            }
            "python" => config.python = Some(string()?.into()),
            "trusted_roots" => config
                .trusted_roots
                .extend(strings()?.iter().map(|r| expand_home(OsStr::new(r)))),
            "trusted_roots_committed_venvs" => config.trusted_roots_committed_venvs = boolean()?,
            "quiet" => config.quiet = boolean()?,
            "prompt" => config.prompt = string()?,
            _ => {
                return Err(fail(
                    line_of(key),
                    format!(
                        "unknown key `{key}` (known: {}): fix or remove that key",
                        KEYS.join(", ")
                    ),
                ))
            }
        }
    }
    Ok(())
}

/// Every key the config file may hold.
pub const KEYS: &[&str] = &[
    "venv_names",
    "project_markers",
    "auto_create",
    "creator",
    "python",
    "trusted_roots",
    "trusted_roots_committed_venvs",
    "quiet",
    "prompt",
];

fn parse_creator(name: &str) -> Option<Creator> {
    match name {
        "auto" => Some(Creator::Auto),
        "uv" => Some(Creator::Uv),
        "venv" => Some(Creator::Venv),
        "virtualenv" => Some(Creator::Virtualenv),
        _ => None,
    }
}

fn apply_env(config: &mut Config) {
    if let Some(quiet) = std::env::var_os("AUTOVENV_QUIET") {
        config.quiet = !matches!(quiet.as_bytes(), b"" | b"0");
    }
    if let Some(roots) = std::env::var_os("AUTOVENV_TRUSTED_ROOTS") {
        config.trusted_roots.extend(
            roots
                .as_bytes()
                .split(|&b| b == b':')
                .filter(|r| !r.is_empty())
                .map(|r| expand_home(OsStr::from_bytes(r))),
        );
    }
}

/// Expands a leading `~/` to the home directory.
fn expand_home(path: &OsStr) -> PathBuf {
    let bytes = path.as_bytes();
    if bytes == b"~" || bytes.starts_with(b"~/") {
        if let Some(home) = dirs::home_dir() {
            return home.join(OsStr::from_bytes(
                bytes[1..].strip_prefix(b"/").unwrap_or(b""),
            ));
        }
    }
    PathBuf::from(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        apply_file(&mut config, Path::new("/c.toml"), text.as_bytes()).map(|()| config)
    }

    #[test]
    fn every_key() {
        let config = parse(
            "venv_names = [\"env\"]\nproject_markers = [\"x.toml\"]\nauto_create = false\n\
             creator = \"uv\"\npython = \"python3.12\"\ntrusted_roots = [\"/code\"]\n\
             quiet = true\nprompt = \"{project}\"\n",
        )
        .map_err(|e| e.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.venv_names, vec![OsString::from("env")]);
        assert_eq!(config.project_markers, vec![OsString::from("x.toml")]);
        assert!(!config.auto_create && config.quiet);
        assert_eq!(config.creator, Creator::Uv);
        assert_eq!(config.python, Some("python3.12".into()));
        assert_eq!(config.trusted_roots, vec![PathBuf::from("/code")]);
        assert_eq!(config.prompt, "{project}");
    }

    #[test]
    fn errors_name_the_line_and_key() {
        let err = parse("quiet = true\nvenv_name = [\".venv\"]\n").err();
        let text = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.starts_with("/c.toml:2: "), "{text}");
        assert!(text.contains("venv_name"), "{text}");
        assert!(!text.contains('\n'), "{text}");

        let err = parse("\n\ncreator = \"conda\"\n").err();
        let text = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.starts_with("/c.toml:3: key `creator`"), "{text}");

        let err = parse("quiet = \"yes\"\n").err();
        let text = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.starts_with("/c.toml:1: "), "{text}");

        let err = parse("quiet = [\n").err();
        assert!(err.is_some_and(|e| e.line.is_some()));
    }
}
