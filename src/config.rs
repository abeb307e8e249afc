//! The optional config file, `$XDG_CONFIG_HOME/autovenv/config.toml`, and the
//! environment variables that override it.
//!
//! Over 300 lines because each key is read, checked and explained (its error line, its
//! default) in one place: the keys are one job and are kept together.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::fsread::{read_bounded, ReadError, CONFIG_LIMIT};

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
    /// Whether a poetry or pipenv project without its environment gets a `.venv` made by
    /// autovenv too. Off: a line names the tool's command that makes it.
    pub create_in_tool_projects: bool,
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
            create_in_tool_projects: false,
            creator: Creator::Auto,
            python: None,
            trusted_roots: Vec::new(),
            trusted_roots_committed_venvs: false,
            quiet: false,
            prompt: "{venv}".into(),
        }
    }
}

/// Where a config problem was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The config file.
    File(PathBuf),
    /// An environment variable, by name.
    Env(&'static str),
}

/// How much of the config a problem costs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// The file cannot be read or parsed: none of it is in effect, only the defaults (and
    /// the environment's overrides).
    FileIgnored,
    /// One key is ignored (for a known key, its default stays); every other key is in
    /// effect.
    KeyIgnored,
    /// One entry of a list is ignored; the list's other entries are in effect.
    EntryIgnored,
}

/// One problem with the config, said in one line: where, what is wrong, how to fix it,
/// and what is in effect instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// Where it was found.
    pub origin: Origin,
    /// The 1-based line in the file, when known.
    pub line: Option<usize>,
    /// The 1-based column, for a syntax error.
    pub column: Option<usize>,
    /// The key it is about, if any.
    pub key: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
    /// What is ignored because of it.
    pub effect: Effect,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            Origin::File(path) => write!(f, "{}", crate::message::shown(path))?,
            Origin::Env(name) => write!(f, "{name}")?,
        }
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)?;
        match (&self.effect, self.key.as_deref()) {
            (Effect::FileIgnored, _) => write!(
                f,
                "; the whole file is ignored until then, so the defaults are in effect"
            ),
            (Effect::KeyIgnored, Some(key)) if KEYS.contains(&key) => write!(
                f,
                "; that key is ignored, so {key} = {} (the default) is in effect, with the file's other keys",
                default_shown(key)
            ),
            (Effect::KeyIgnored, _) => {
                write!(f, "; that key is ignored, the file's other keys are in effect")
            }
            (Effect::EntryIgnored, _) => {
                write!(f, "; that entry is ignored, the other entries are in effect")
            }
        }
    }
}

/// Where the config file lives (whether or not it exists).
pub(crate) fn path() -> Option<PathBuf> {
    Some(dirs::config_dir()?.join("autovenv").join("config.toml"))
}

/// Loads the config file (if any) and applies the environment's overrides. Every valid
/// key is applied; every problem is returned, for the caller to report and carry on.
pub(crate) fn load() -> (Config, Vec<ConfigError>) {
    let mut config = Config::default();
    let mut errors = Vec::new();
    if let Some(path) = path() {
        match read_bounded(&path, CONFIG_LIMIT) {
            Ok(bytes) => (config, errors) = parse(&path, &bytes),
            Err(ReadError::Missing) => {}
            Err(e) => errors.push(ConfigError {
                origin: Origin::File(path),
                line: None,
                column: None,
                key: None,
                message: format!("cannot read it ({e}): make it a readable file or remove it"),
                effect: Effect::FileIgnored,
            }),
        }
    }
    errors.extend(apply_env(&mut config));
    (config, errors)
}

/// Parses the bytes of a config file named `path` (the name is only for messages): the
/// config with every valid key applied, and every problem found.
pub fn parse(path: &Path, bytes: &[u8]) -> (Config, Vec<ConfigError>) {
    let mut config = Config::default();
    let errors = apply_file(&mut config, path, bytes);
    (config, errors)
}

/// The 1-based line and column of byte `offset` in `bytes`.
fn line_and_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, column)
}

/// The 1-based line on which `key` is set at the top level, bare or quoted.
fn line_of(text: &str, key: &str) -> Option<usize> {
    let forms = [key.to_owned(), format!("\"{key}\""), format!("'{key}'")];
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            forms.iter().any(|form| {
                l.strip_prefix(form.as_str())
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            }) || l.strip_prefix('[').is_some_and(|rest| {
                rest.trim_start_matches('[')
                    .trim_start()
                    .strip_prefix(key)
                    .is_some_and(|r| r.trim_start().starts_with([']', '.']))
            })
        })
        .map(|i| i + 1)
}

fn apply_file(config: &mut Config, path: &Path, bytes: &[u8]) -> Vec<ConfigError> {
    let whole = |line: Option<(usize, usize)>, message: String| ConfigError {
        origin: Origin::File(path.to_owned()),
        line: line.map(|(l, _)| l),
        column: line.map(|(_, c)| c),
        key: None,
        message,
        effect: Effect::FileIgnored,
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = line_and_column(bytes, e.valid_up_to());
            return vec![whole(
                Some(at),
                "not valid UTF-8: TOML files must be UTF-8".into(),
            )];
        }
    };
    let table: toml::Table = match text.parse() {
        Ok(table) => table,
        Err(e) => {
            let e: toml::de::Error = e;
            let at = e.span().map(|span| line_and_column(bytes, span.start));
            let message = e.message().trim().replace('\n', " ");
            return vec![whole(at, format!("{message}: fix the TOML syntax"))];
        }
    };
    let mut errors = Vec::new();
    for (key, value) in &table {
        let problem = |effect: Effect, message: String| ConfigError {
            origin: Origin::File(path.to_owned()),
            line: line_of(text, key),
            column: None,
            key: Some(key.clone()),
            message,
            effect,
        };
        let wrong_type = |expected: &str| {
            problem(
                Effect::KeyIgnored,
                format!("key `{key}` must be {expected}"),
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
                .ok_or_else(|| wrong_type("an array of strings, e.g. [\"a\", \"b\"]"))
        };
        let boolean = || value.as_bool().ok_or_else(|| wrong_type("true or false"));
        let string = || {
            value
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| wrong_type("a string in quotes"))
        };
        let applied: Result<(), ConfigError> = (|| {
            match key.as_str() {
                "venv_names" => {
                    let names = strings()?;
                    if names.is_empty() || names.iter().any(|n| !plain_name(n)) {
                        return Err(problem(
                            Effect::KeyIgnored,
                            "key `venv_names` needs one or more plain directory names, e.g. [\".venv\"]"
                                .into(),
                        ));
                    }
                    config.venv_names = names.into_iter().map(OsString::from).collect();
                }
                "project_markers" => {
                    let markers = strings()?;
                    if markers.iter().any(|n| !plain_name(n)) {
                        return Err(problem(
                            Effect::KeyIgnored,
                            "key `project_markers` needs plain file names, e.g. [\"pyproject.toml\"]"
                                .into(),
                        ));
                    }
                    config.project_markers = markers.into_iter().map(OsString::from).collect();
                }
                "auto_create" => config.auto_create = boolean()?,
                "create_in_tool_projects" => config.create_in_tool_projects = boolean()?,
                "creator" => {
                    let creator = string()?;
                    config.creator = parse_creator(&creator).ok_or_else(|| {
                        problem(
                            Effect::KeyIgnored,
                            format!(
                                "key `creator` is \"{}\": use \"auto\", \"uv\", \"venv\" or \"virtualenv\"",
                                creator.escape_debug()
                            ),
                        )
                    })?;
                }
                "python" => {
                    let python = string()?;
                    if python.is_empty() {
                        return Err(problem(
                            Effect::KeyIgnored,
                            "key `python` is empty: name an interpreter, e.g. \"python3.12\""
                                .into(),
                        ));
                    }
                    config.python = Some(python.into());
                }
                "trusted_roots" => {
                    for entry in strings()? {
                        match trusted_root(OsStr::new(&entry)) {
                            Ok(root) => config.trusted_roots.push(root),
                            Err(why) => errors.push(problem(
                                Effect::EntryIgnored,
                                format!("trusted_roots entry \"{}\" {why}", entry.escape_debug()),
                            )),
                        }
                    }
                }
                "trusted_roots_committed_venvs" => {
                    config.trusted_roots_committed_venvs = boolean()?
                }
                "quiet" => config.quiet = boolean()?,
                "prompt" => config.prompt = string()?,
                _ => {
                    return Err(problem(
                        Effect::KeyIgnored,
                        format!(
                            "unknown key `{}` (did you mean `{}`?): fix or remove it",
                            key.escape_debug(),
                            nearest_key(key)
                        ),
                    ))
                }
            }
            Ok(())
        })();
        if let Err(e) = applied {
            errors.push(e);
        }
    }
    errors.sort_by_key(|e| e.line);
    errors
}

/// A name that can stand for one entry in a directory.
fn plain_name(name: &str) -> bool {
    !name.is_empty() && !name.contains('/') && name != "." && name != ".."
}

/// The known key closest to `key` (by edit distance, ignoring case).
fn nearest_key(key: &str) -> &'static str {
    let key = key.to_lowercase();
    KEYS.iter()
        .copied()
        .min_by_key(|known| edit_distance(&key, known))
        .unwrap_or("venv_names")
}

/// Levenshtein distance between two strings, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// Every key the config file may hold.
pub(crate) const KEYS: &[&str] = &[
    "venv_names",
    "project_markers",
    "auto_create",
    "create_in_tool_projects",
    "creator",
    "python",
    "trusted_roots",
    "trusted_roots_committed_venvs",
    "quiet",
    "prompt",
];

/// A key's default value as the config file would write it.
fn default_shown(key: &str) -> &'static str {
    match key {
        "venv_names" => "[\".venv\", \"venv\"]",
        "project_markers" => "[\"pyproject.toml\", \"setup.py\", \"setup.cfg\", \"requirements.txt\", \"Pipfile\", \".python-version\"]",
        "auto_create" => "true",
        "create_in_tool_projects" => "false",
        "creator" => "\"auto\"",
        "python" => "\"python3\"",
        "trusted_roots" => "[]",
        "trusted_roots_committed_venvs" => "false",
        "quiet" => "false",
        "prompt" => "\"{venv}\"",
        _ => "nothing",
    }
}

fn parse_creator(name: &str) -> Option<Creator> {
    match name {
        "auto" => Some(Creator::Auto),
        "uv" => Some(Creator::Uv),
        "venv" => Some(Creator::Venv),
        "virtualenv" => Some(Creator::Virtualenv),
        _ => None,
    }
}

fn apply_env(config: &mut Config) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    if let Some(quiet) = std::env::var_os("AUTOVENV_QUIET") {
        config.quiet = !matches!(quiet.as_bytes(), b"" | b"0");
    }
    if let Some(roots) = std::env::var_os("AUTOVENV_TRUSTED_ROOTS") {
        // Empty fields (a leading, trailing or doubled `:`) are left out, as nothing.
        for entry in roots
            .as_bytes()
            .split(|&b| b == b':')
            .filter(|r| !r.is_empty())
        {
            match trusted_root(OsStr::from_bytes(entry)) {
                Ok(root) => config.trusted_roots.push(root),
                Err(why) => errors.push(ConfigError {
                    origin: Origin::Env("AUTOVENV_TRUSTED_ROOTS"),
                    line: None,
                    column: None,
                    key: None,
                    message: format!(
                        "entry \"{}\" {why}",
                        crate::message::shown(OsStr::from_bytes(entry))
                    ),
                    effect: Effect::EntryIgnored,
                }),
            }
        }
    }
    errors
}

/// A `trusted_roots` entry as the directory it trusts: an absolute path, after a leading
/// `~` is expanded. Anything else would trust directories relative to wherever the shell
/// happens to be (an empty entry, everything), so it is refused with the reason.
fn trusted_root(entry: &OsStr) -> Result<PathBuf, &'static str> {
    let bytes = entry.as_bytes();
    if bytes.is_empty() {
        return Err("is empty, which would trust every directory: name an absolute path such as \"~/code\", or remove it");
    }
    if bytes.contains(&b'$') {
        return Err("holds a `$`, and variables are not expanded: write the path out, or start it with ~/ for your home directory");
    }
    let path = expand_home(entry);
    if !path.is_absolute() {
        return Err("is not an absolute path, so it would trust directories relative to wherever the shell is: start it with / or ~/");
    }
    Ok(path)
}

/// Expands a leading `~/` (or a lone `~`) to the home directory.
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

    fn parse(text: &str) -> (Config, Vec<String>) {
        let mut config = Config::default();
        let errors = apply_file(&mut config, Path::new("/c.toml"), text.as_bytes());
        (config, errors.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn every_key() {
        let (config, errors) = parse(
            "venv_names = [\"env\"]\nproject_markers = [\"x.toml\"]\nauto_create = false\n\
             creator = \"uv\"\npython = \"python3.12\"\ntrusted_roots = [\"/code\"]\n\
             quiet = true\nprompt = \"{project}\"\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(config.venv_names, vec![OsString::from("env")]);
        assert_eq!(config.project_markers, vec![OsString::from("x.toml")]);
        assert!(!config.auto_create && config.quiet);
        assert_eq!(config.creator, Creator::Uv);
        assert_eq!(config.python, Some("python3.12".into()));
        assert_eq!(config.trusted_roots, vec![PathBuf::from("/code")]);
        assert_eq!(config.prompt, "{project}");
    }

    #[test]
    fn every_valid_key_applies_whatever_else_is_wrong() {
        // A typo sorting before a valid key, and one after it: both keys still apply.
        let (config, errors) = parse(
            "auto_create = false\nCreator = \"venv\"\nzquiet = true\ncreator = \"conda\"\n\
             prompt = \"{project}\"\ntrusted_roots = [\"/ok\", \"\", \".\", \"$HOME/code\", \"rel\"]\n",
        );
        assert!(!config.auto_create);
        assert_eq!(config.creator, Creator::Auto);
        assert_eq!(config.prompt, "{project}");
        assert_eq!(config.trusted_roots, vec![PathBuf::from("/ok")]);
        assert_eq!(errors.len(), 7, "{errors:#?}");
        let expected = [
            (
                0,
                "/c.toml:2: unknown key `Creator` (did you mean `creator`?)",
                "",
            ),
            (0, "", "the file's other keys are in effect"),
            (
                1,
                "/c.toml:3: unknown key `zquiet` (did you mean `quiet`?)",
                "",
            ),
            (2, "/c.toml:4: key `creator` is \"conda\"", ""),
            (2, "", "creator = \"auto\" (the default) is in effect"),
        ];
        for (i, starts, holds) in expected {
            let error = &errors[i];
            assert!(
                error.starts_with(starts) && error.contains(holds),
                "{error}"
            );
        }
        for (error, entry) in errors[3..]
            .iter()
            .zip(["\"\"", "\".\"", "\"$HOME/code\"", "\"rel\""])
        {
            assert!(
                error.starts_with(&format!("/c.toml:6: trusted_roots entry {entry} ")),
                "{error}"
            );
            assert!(
                error.ends_with("that entry is ignored, the other entries are in effect"),
                "{error}"
            );
        }
        assert!(errors
            .iter()
            .all(|e| !e.contains('\n') && !e.contains("defaults")));
    }

    #[test]
    fn a_syntax_error_ignores_the_file_and_says_where() {
        let (config, errors) = parse("auto_create = false\nquiet = [\n");
        assert!(config.auto_create);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("/c.toml:3:1: "), "{}", errors[0]);
        assert!(
            errors[0].contains("the whole file is ignored"),
            "{}",
            errors[0]
        );

        let (_, errors) = parse("quiet = true\nprompt = \"a\" b\n");
        assert!(errors[0].starts_with("/c.toml:2:14: "), "{}", errors[0]);

        let mut config = Config::default();
        let errors = apply_file(
            &mut config,
            Path::new("/c.toml"),
            b"quiet = true\n\xff = 1\n",
        );
        assert_eq!(errors[0].line, Some(2));
        assert_eq!(errors[0].effect, Effect::FileIgnored);
        assert!(!config.quiet);
    }

    #[test]
    fn errors_name_the_line_and_key() {
        let (_, errors) = parse("quiet = true\nvenv_name = [\".venv\"]\n");
        assert!(errors[0].starts_with("/c.toml:2: "), "{errors:?}");
        assert!(
            errors[0].contains("did you mean `venv_names`?"),
            "{errors:?}"
        );
        for (text, which, start) in [
            (
                "\n\n\"creator\" = \"conda\"\n",
                0,
                "/c.toml:3: key `creator`",
            ),
            (
                "quiet = \"yes\"\n",
                0,
                "/c.toml:1: key `quiet` must be true or false",
            ),
            (
                "x = 1\n[tool]\nquiet = true\n",
                1,
                "/c.toml:2: unknown key `tool`",
            ),
        ] {
            let (_, errors) = parse(text);
            assert!(errors[which].starts_with(start), "{errors:?}");
        }
    }

    #[test]
    fn trusted_roots_are_absolute_after_home_expansion() {
        assert!(trusted_root(OsStr::new("/a/b")).is_ok());
        for bad in ["", ".", "code", "$HOME/code", "~user/code", "./x"] {
            assert!(trusted_root(OsStr::new(bad)).is_err(), "{bad}");
        }
        if let Some(home) = dirs::home_dir().filter(|h| h.is_absolute()) {
            assert_eq!(trusted_root(OsStr::new("~/code")), Ok(home.join("code")));
            assert_eq!(trusted_root(OsStr::new("~")), Ok(home));
        }
    }

    #[test]
    fn nearest_keys() {
        assert_eq!(nearest_key("Creator"), "creator");
        assert_eq!(nearest_key("auto-create"), "auto_create");
        assert_eq!(nearest_key("trusted_root"), "trusted_roots");
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
