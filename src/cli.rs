//! The command line, declared once: parsing, `--help`, the man pages and the completion
//! scripts all come from the [`Command`] enum and its attributes (clap's derive).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{CommandFactory, Parser, ValueEnum, ValueHint};

/// One parsed invocation.
#[derive(Debug, Parser)]
#[command(
    name = "autovenv",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    subcommand_required = true,
    arg_required_else_help = true,
    disable_help_subcommand = true
)]
pub(crate) enum Command {
    /// Print the shell code that hooks autovenv into SHELL; evaluate it in your rc file
    #[command(after_help = EXIT_OK_USAGE)]
    Hook {
        /// The shell to hook into
        #[arg(value_name = "SHELL", value_parser = shell_names())]
        shell: ShellName,
    },
    /// Print shell code that brings this shell in step with its directory (used by the hook)
    #[command(after_help = EXIT_OK_USAGE)]
    Export {
        /// The shell to print code for
        #[arg(value_name = "SHELL", value_parser = shell_names())]
        shell: ShellName,
        /// Undo autovenv's activation, as `deactivate [nondestructive]` does
        #[arg(long, value_name = "MODE")]
        deactivate: Option<DeactivateMode>,
        /// The hook's per-shell memory, as the last export printed it
        #[arg(long, value_name = "SESSION", default_value = "")]
        session: OsString,
        /// A venv's own `activate` ran over autovenv's activation: hand over to it
        #[arg(long, id = "activated-by-hand", conflicts_with = "deactivate")]
        activated_by_hand: bool,
        /// Activate what exists but create no venv: creating waits for the next prompt
        #[arg(long, id = "no-create")]
        no_create: bool,
    },
    /// Trust the project that holds DIR (default: the current directory)
    #[command(after_help = EXIT_STORE)]
    Allow {
        /// A directory in the project
        #[arg(value_name = "DIR", value_hint = ValueHint::DirPath)]
        dir: Option<PathBuf>,
        /// Print the allowed directories instead, one per line
        #[arg(long, conflicts_with = "dir")]
        list: bool,
        /// Also accept a project or venv owned by another user (in a root shell: one other
        /// users can write to)
        #[arg(long, id = "any-owner", conflicts_with = "list")]
        any_owner: bool,
    },
    /// Never activate or create a venv in the project that holds DIR, and stop telling
    #[command(after_help = EXIT_STORE)]
    Deny {
        /// A directory in the project
        #[arg(value_name = "DIR", value_hint = ValueHint::DirPath)]
        dir: Option<PathBuf>,
        /// Print the denied directories instead, one per line
        #[arg(long, conflicts_with = "dir")]
        list: bool,
    },
    /// Show what autovenv finds in DIR (default: here), whether it is trusted, and what it
    /// would do and why
    #[command(after_help = STATUS_HELP)]
    Status {
        /// The directory to look at
        #[arg(value_name = "DIR", value_hint = ValueHint::DirPath)]
        dir: Option<PathBuf>,
        /// Print one JSON object with a stable schema (see below) instead of text
        #[arg(long)]
        json: bool,
    },
    /// Create the venv of the project that holds DIR (default: here), or rebuild it with
    /// --force; the shell activates it at the next prompt
    #[command(long_about = CREATE_ABOUT, after_help = EXIT_CREATE)]
    Create {
        /// A directory in the project
        #[arg(value_name = "DIR", value_hint = ValueHint::DirPath)]
        dir: Option<PathBuf>,
        /// The interpreter to make it with: a version (3.12, pypy3.10), a command such as
        /// python3.12, or a path
        #[arg(long, value_name = "PYTHON")]
        python: Option<OsString>,
        /// Rebuild the venv even when it is there and works; the old one stays until the
        /// new one works
        #[arg(long)]
        force: bool,
    },
    /// Evaluate again at the next prompt, forgetting what this shell was told and which
    /// project `deactivate` turned off
    #[command(after_help = EXIT_OK_USAGE)]
    Reload,
    /// Run CMD with the venv of the project holding DIR (default: here) active, as the hook
    /// activates it, without a shell: for scripts, cron, editors and CI
    #[command(long_about = EXEC_ABOUT, after_help = EXEC_HELP)]
    Exec {
        /// A directory in the project
        #[arg(value_name = "DIR", value_hint = ValueHint::DirPath)]
        dir: Option<PathBuf>,
        /// The command and its arguments, after `--`
        #[arg(value_name = "CMD", required = true, last = true, num_args = 1..)]
        command: Vec<OsString>,
    },
    /// Install the declared dependencies of the project holding DIR (default: here) into
    /// its venv, creating the venv first when it has none
    #[command(long_about = SYNC_ABOUT, after_help = SYNC_HELP)]
    Sync {
        /// A directory in the project
        #[arg(value_name = "DIR", value_hint = ValueHint::DirPath)]
        dir: Option<PathBuf>,
        /// Keep running and sync again (one line each time) whenever those files change;
        /// Ctrl-C stops
        #[arg(long)]
        watch: bool,
    },
    /// Forget allow and deny decisions about directories that no longer exist
    #[command(after_help = EXIT_STORE)]
    Prune,
    /// Print a tab-completion script for autovenv's own commands in SHELL
    #[command(long_about = COMPLETIONS_ABOUT, after_help = EXIT_OK_USAGE)]
    Completions {
        /// The shell to complete in
        #[arg(value_name = "SHELL")]
        shell: CompletionShell,
    },
}

/// A shell autovenv hooks into, by the name used on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ShellName(&'static str);

impl ShellName {
    /// The renderer for this shell.
    pub(crate) fn shell(self) -> &'static dyn crate::shell::Shell {
        crate::shell::by_name(self.0).unwrap_or(crate::shell::ALL[0])
    }
}

/// The names (and aliases) of the shells autovenv hooks, parsed into a [`ShellName`].
fn shell_names() -> impl TypedValueParser<Value = ShellName> {
    let names = crate::shell::ALL
        .iter()
        .map(|shell| PossibleValue::new(shell.name()).aliases(shell.aliases().iter().copied()));
    PossibleValuesParser::new(names).map(|name| {
        ShellName(crate::shell::by_name(&name).map_or(crate::shell::ALL[0].name(), |s| s.name()))
    })
}

/// How `deactivate` was called: `full` is plain `deactivate` (restore, and keep the project
/// off until you leave it), `nondestructive` is `deactivate nondestructive` (restore only).
/// The variants have no doc comments of their own, which clap would show as help for an
/// option only the hook passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[allow(missing_docs)]
pub(crate) enum DeactivateMode {
    Full,
    Nondestructive,
}

const ABOUT: &str = "Python virtual environments that follow you around the shell";

const LONG_ABOUT: &str = "\
Python virtual environments that follow you around the shell.

Put `eval \"$(autovenv hook bash)\"` (or zsh, fish, ...) in your shell's rc file. Entering
a trusted project activates its nearest .venv (creating it first where the project has
none); leaving restores PATH, VIRTUAL_ENV and the prompt exactly as they were.";

const AFTER_HELP: &str = "\
Exit status: 0 on success, 1 when the command failed, 2 when it was used wrongly; exec
returns its command's status (see autovenv-exec(1)).
Environment: AUTOVENV_QUIET=1 silences informational messages; AUTOVENV_TRUSTED_ROOTS
(':'-separated) trusts whole trees; NO_COLOR turns colour off; XDG_CONFIG_HOME and
XDG_DATA_HOME locate config.toml and the trust store; UV_PROJECT_ENVIRONMENT names the venv.";

const EXIT_OK_USAGE: &str = "Exit status: 0 on success, 2 when used wrongly.";

const EXIT_STORE: &str = "Exit status: 0 on success, 1 when the trust store cannot be read or \
written, 2 when used wrongly.";

const EXEC_HELP: &str = "Exit status: CMD's own; 125 when autovenv cannot run it (no project \
or venv, not trusted, a broken venv), 126 when CMD cannot be executed, 127 when CMD is not \
found, 2 when used wrongly.";

const SYNC_HELP: &str = "Exit status: 0 when synced (with --watch: when stopped by Ctrl-C or \
SIGTERM), 1 when there is nothing to sync, the project is not trusted, or the installer \
failed (with --watch a failed sync is reported and watching goes on), 2 when used wrongly.";

const STATUS_HELP: &str = "\
Exit status: 0 on success, 1 when DIR is not a directory, 2 when used wrongly.

JSON schema (version 1; keys are only ever added). Paths are strings; a path whose bytes
are not UTF-8 is given lossily (U+FFFD) and its exact bytes in hex under the same key plus
\"_bytes\" (e.g. \"venv_bytes\"), a key present only then.
  schema: 1
  directory: the directory looked at
  venv: the venv found, or null
  source: which rule found it: in-project, redirect, workon, pyenv, poetry or pipenv; or null
  project_root: the project the venv belongs to or would be made in, or null
  trusted: true when allowed or inside a trusted root
  trusted_by: \"allow\", \"trusted_root\" or null
  trusted_root: the trusted_roots entry that trusts it, or null
  denied: true when `autovenv deny` silenced it
  python: the venv's bin/python, or null
  python_version: pyvenv.cfg's version, or null
  python_home: pyvenv.cfg's home, or null
  healthy: whether the venv can be activated; null without a venv
  problem: why not, in one line, or null
  active: VIRTUAL_ENV when set and not empty, or null
  active_by_autovenv: whether autovenv activated it
  plan: keep, switch, activate, create, deactivate, notice or nothing
  reason: deactivated, no_project, foreign, off, broken, denied, untrusted, trusted,
    auto_create_off, tool_makes, creation_failed or missing
  reason_text: the reason in words
  sync: \"never\" (never synced), \"current\" or \"stale\"; null without a venv
  sync_changed: the names of files changed since the last sync (empty unless stale)";

const CREATE_ABOUT: &str = "\
Create the venv of the project that holds DIR (default: here), or rebuild it with --force;
the shell activates it at the next prompt.

The creator is the config's `creator` (\"auto\": `uv venv --seed` when uv is on PATH, and
`python -m venv` with the same interpreter when uv is missing or cannot make it); the
interpreter comes from --python, else the project's .python-version, else the config's
`python`, else python3 (a version, such as 3.12 or pypy3.10, means that command in all three).

--force rebuilds without risk: the old venv is renamed aside (.venv.autovenv-old-PID) and
the new one made in its place; only when it works is the old one removed. If the new one
cannot be made, what was made is removed and the old venv is put back exactly as it was. A
directory there that is not a venv is moved aside and kept; nothing is rebuilt or emptied
through a symlink.";

const EXIT_CREATE: &str = "Exit status: 0 when the venv was made (or is already there), 1 \
when it could not be made (the line says why), 2 when used wrongly; killed by a signal, \
autovenv removes what it made and ends by that signal.";

const EXEC_ABOUT: &str = "\
Run CMD with the venv of the project holding DIR (default: here) active, as the hook
activates it, without a shell: for scripts, cron, editors and CI.

autovenv replaces itself with CMD, so CMD's exit status, signals, stdin and stdout are its
own. CMD runs in the current directory, found on the activated PATH. The project must be
trusted (`autovenv allow DIR`) and have a healthy venv.";

const SYNC_ABOUT: &str = "\
Install the declared dependencies of the project holding DIR (default: here) into its
venv, creating the venv first when it has none.

The first of these that the project root has decides how: uv.lock runs `uv sync`;
requirements*.txt files run `pip install -r` for each; pyproject.toml or setup.py runs
`pip install -e .`. pip is the venv's own (when it has bin/pip), else `uv pip`. The
SHA-256 of those files is recorded in the venv (.autovenv-sync); when they change,
activation says the venv is out of date. Trusted projects only: installing runs the
project's build code.";

const COMPLETIONS_ABOUT: &str = "\
Print a tab-completion script for autovenv's own commands in SHELL.

bash: `eval \"$(autovenv completions bash)\"` in ~/.bashrc; zsh: save as `_autovenv` in a
directory on $fpath (before compinit); fish: save as ~/.config/fish/completions/autovenv.fish;
elvish: `eval (autovenv completions elvish | slurp)` in rc.elv; nushell: save it once in
$nu.data-dir/vendor/autoload/; tcsh: `eval \"`autovenv completions tcsh`\"` in ~/.tcshrc;
xonsh: `execx($(autovenv completions xonsh))` in ~/.xonshrc.";

/// The clap definition, for parsing, the man page and completions.
pub fn command() -> clap::Command {
    Command::command()
}

/// Parses the process's arguments.
pub(crate) fn parse() -> Result<Command, clap::Error> {
    let args: Vec<OsString> = std::env::args_os().collect();
    if let Some(command) = hook_export(&args) {
        return Ok(command);
    }
    Command::try_parse_from(normalize(args, std::path::Path::is_dir))
}

/// The `export` command line the hooks pass (`export SHELL [--no-create]
/// [--activated-by-hand | --deactivate=MODE] --session=VALUE`), read without building the
/// clap definition, which is most of the work a `cd` would otherwise do before looking at
/// the disk. It yields what clap yields for the same words; anything else (another form,
/// a word twice, a mistake) is `None` and left to clap, which also words the errors.
fn hook_export(args: &[OsString]) -> Option<Command> {
    let [_, export, shell, options @ ..] = args else {
        return None;
    };
    if export != "export" {
        return None;
    }
    let shell = ShellName(crate::shell::by_name(shell.to_str()?)?.name());
    let (mut session, mut deactivate) = (None, None);
    let (mut activated_by_hand, mut no_create) = (false, false);
    for option in options {
        let bytes = option.as_bytes();
        if let Some(value) = bytes.strip_prefix(b"--session=") {
            if session.replace(OsStr::from_bytes(value)).is_some() {
                return None;
            }
        } else if let Some(mode) = bytes.strip_prefix(b"--deactivate=") {
            let mode = match mode {
                b"full" => DeactivateMode::Full,
                b"nondestructive" => DeactivateMode::Nondestructive,
                _ => return None,
            };
            if deactivate.replace(mode).is_some() {
                return None;
            }
        } else if bytes == b"--activated-by-hand" && !activated_by_hand {
            activated_by_hand = true;
        } else if bytes == b"--no-create" && !no_create {
            no_create = true;
        } else {
            return None;
        }
    }
    if activated_by_hand && deactivate.is_some() {
        return None;
    }
    let session = session.unwrap_or_default().to_owned();
    Some(Command::Export {
        shell,
        deactivate,
        session,
        activated_by_hand,
        no_create,
    })
}

/// Forms people type that the definition does not take, rewritten to the ones it does:
/// `help [COMMAND]` is `[COMMAND] --help`; `exec CMD…` without `--` (as `uv run CMD` is
/// typed) is `exec -- CMD…` when CMD is not a directory, and `exec DIR CMD…` is
/// `exec DIR -- CMD…` when DIR is one (`is_dir`). Anything else is left to the parser.
fn normalize(mut args: Vec<OsString>, is_dir: impl Fn(&std::path::Path) -> bool) -> Vec<OsString> {
    let word = |args: &[OsString], i: usize| args.get(i).map(|a| a.as_encoded_bytes().to_vec());
    match word(&args, 1).as_deref() {
        Some(b"help") => {
            args.remove(1);
            args.push("--help".into());
        }
        Some(b"exec") if !args[2..].iter().any(|a| a == "--") => {
            let plain = |i: usize| word(&args, i).is_some_and(|w| !w.starts_with(b"-"));
            if plain(2) {
                if !is_dir(std::path::Path::new(&args[2])) {
                    args.insert(2, "--".into());
                } else if plain(3) {
                    args.insert(3, "--".into());
                }
            }
        }
        _ => {}
    }
    args
}

/// A shell `autovenv completions` writes a script for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CompletionShell {
    /// bash (also what xonsh's bash completer can load).
    Bash,
    /// zsh.
    Zsh,
    /// fish.
    Fish,
    /// elvish.
    Elvish,
    /// nushell (`nu` too).
    Nushell,
    /// tcsh (`csh` too).
    Tcsh,
    /// xonsh.
    Xonsh,
    /// PowerShell (autovenv does not hook it; completion only).
    Powershell,
}

impl clap::ValueEnum for CompletionShell {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            CompletionShell::Bash,
            CompletionShell::Zsh,
            CompletionShell::Fish,
            CompletionShell::Elvish,
            CompletionShell::Nushell,
            CompletionShell::Tcsh,
            CompletionShell::Xonsh,
            CompletionShell::Powershell,
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            CompletionShell::Bash => PossibleValue::new("bash"),
            CompletionShell::Zsh => PossibleValue::new("zsh"),
            CompletionShell::Fish => PossibleValue::new("fish"),
            CompletionShell::Elvish => PossibleValue::new("elvish"),
            CompletionShell::Nushell => PossibleValue::new("nushell").alias("nu"),
            CompletionShell::Tcsh => PossibleValue::new("tcsh").alias("csh"),
            CompletionShell::Xonsh => PossibleValue::new("xonsh"),
            CompletionShell::Powershell => PossibleValue::new("powershell"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(words: &[&str], dirs: &[&str]) -> Vec<String> {
        let args = words.iter().map(OsString::from).collect();
        normalize(args, |p| dirs.iter().any(|d| p == std::path::Path::new(d)))
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    /// The hooks' `export` lines read by hand give what clap gives; every other form is
    /// left to clap.
    #[test]
    fn the_hooks_export_line_is_read_as_clap_reads_it() {
        let parse = |words: &[&[u8]]| {
            let args: Vec<OsString> = words
                .iter()
                .map(|w| OsStr::from_bytes(w).to_owned())
                .collect();
            let by_hand = hook_export(&args).map(|c| format!("{c:?}"));
            let by_clap = Command::try_parse_from(&args).map(|c| format!("{c:?}"));
            (by_hand, by_clap.ok())
        };
        // The words after `autovenv`, split at `|`, and whether the hooks send that form.
        let lines: [(&[u8], bool); 24] = [
            (b"export|bash|--session=", true),
            (b"export|zsh|--no-create|--session=x:y=z", true),
            (b"export|fish|--activated-by-hand|--session=-a b", true),
            (b"export|tcsh|--session=\\xff", true),
            (b"export|tcsh|--session=\xff\xfe|--no-create", true),
            (b"export|tcsh|--deactivate=full", true),
            (b"export|nu|--deactivate=nondestructive|--no-create", true),
            (b"export|elvish", true),
            (b"export|xonsh|--no-create|--activated-by-hand", true),
            (b"export", false),
            (b"export|ksh|--session=", false),
            (b"export|Bash", false),
            (b"export|csh", false),
            (b"export|bash|--session|x", false),
            (b"export|bash|--session=a|--session=b", false),
            (b"export|bash|--no-create|--no-create", false),
            (b"export|bash|--deactivate=full|--activated-by-hand", false),
            (b"export|bash|--deactivate=off", false),
            (b"export|bash|--deactivate=full|--deactivate=full", false),
            (b"export|bash|--help", false),
            (b"export|bash|--|--no-create", false),
            (b"export|bash|extra", false),
            (b"status|bash", false),
            (b"export|bash|--session=a|extra", false),
        ];
        for (line, sent_by_hooks) in lines {
            let words: Vec<&[u8]> = std::iter::once(&b"autovenv"[..])
                .chain(line.split(|&b| b == b'|'))
                .collect();
            let (by_hand, by_clap) = parse(&words);
            if sent_by_hooks {
                assert!(by_hand.is_some(), "{words:?}");
                assert_eq!(by_hand, by_clap, "{words:?}");
            } else {
                assert_eq!(by_hand, None, "{words:?}");
            }
        }
    }

    #[test]
    fn typed_forms_are_rewritten_only_when_unambiguous() {
        let a = "autovenv";
        assert_eq!(normalized(&[a, "help"], &[]), [a, "--help"]);
        assert_eq!(normalized(&[a, "help", "exec"], &[]), [a, "exec", "--help"]);
        assert_eq!(
            normalized(&[a, "exec", "pytest", "-x"], &[]),
            [a, "exec", "--", "pytest", "-x"]
        );
        assert_eq!(
            normalized(&[a, "exec", "src", "pytest", "-x"], &["src"]),
            [a, "exec", "src", "--", "pytest", "-x"]
        );
        for unchanged in [
            &[a, "exec", "src"][..],
            &[a, "exec", "src", "-x"],
            &[a, "exec", "--", "pytest"],
            &[a, "exec", "src", "--", "pytest"],
            &[a, "exec", "--help"],
            &[a, "exec"],
            &[a, "status", "help"],
        ] {
            assert_eq!(normalized(unchanged, &["src"]), unchanged);
        }
    }
}
