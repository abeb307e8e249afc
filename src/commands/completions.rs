//! `autovenv completions SHELL`: tab completion for autovenv's own command line, in every
//! shell autovenv hooks, generated from the one CLI definition in [`crate::cli`].
//!
//! bash, zsh, fish, elvish and PowerShell come from `clap_complete`, nushell from
//! `clap_complete_nushell`; tcsh (`complete` builtin lines) and xonsh (a contextual
//! completer) are generated here from the same definition.

use std::fmt::Write as _;

use clap::builder::ValueHint;

use crate::cli::CompletionShell;

/// Prints the completion script for `shell` to stdout.
pub fn completions(shell: CompletionShell) {
    super::print(&script(shell));
}

/// The completion script for `shell`.
pub fn script(shell: CompletionShell) -> Vec<u8> {
    let mut command = crate::cli::command();
    let mut out = Vec::new();
    let name = "autovenv";
    match shell {
        CompletionShell::Bash => {
            clap_complete::generate(clap_complete::Shell::Bash, &mut command, name, &mut out)
        }
        CompletionShell::Zsh => {
            clap_complete::generate(clap_complete::Shell::Zsh, &mut command, name, &mut out)
        }
        CompletionShell::Fish => {
            clap_complete::generate(clap_complete::Shell::Fish, &mut command, name, &mut out)
        }
        CompletionShell::Elvish => {
            clap_complete::generate(clap_complete::Shell::Elvish, &mut command, name, &mut out)
        }
        CompletionShell::Powershell => clap_complete::generate(
            clap_complete::Shell::PowerShell,
            &mut command,
            name,
            &mut out,
        ),
        CompletionShell::Nushell => {
            clap_complete::generate(clap_complete_nushell::Nushell, &mut command, name, &mut out)
        }
        CompletionShell::Tcsh => out = tcsh(&command).into_bytes(),
        CompletionShell::Xonsh => out = xonsh(&command).into_bytes(),
    }
    out
}

/// What can follow a word, as far as the simple completers of tcsh and xonsh can tell.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    /// One of these words.
    Words(Vec<String>),
    /// A directory.
    Dir,
    /// A command on PATH.
    Command,
}

/// What may follow `arg`: its possible values, or what its value hint names; `None` where
/// anything goes (the shells' file completion then applies) and for a flag, which takes no
/// value (clap still lists `true` and `false` for a derived `bool`).
fn next_of(arg: &clap::Arg) -> Option<Next> {
    if !arg.get_action().takes_values() {
        return None;
    }
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_owned())
        .collect();
    if !values.is_empty() {
        return Some(Next::Words(values));
    }
    match arg.get_value_hint() {
        ValueHint::DirPath => Some(Next::Dir),
        ValueHint::CommandName | ValueHint::ExecutablePath | ValueHint::CommandWithArguments => {
            Some(Next::Command)
        }
        _ => None,
    }
}

/// One subcommand as the simple completers see it.
struct Sub {
    name: String,
    /// What its first positional argument may be.
    first: Option<Next>,
    /// Its long options (without `--`), `help` included.
    longs: Vec<String>,
    /// Options that take a value, and what the value may be.
    valued: Vec<(String, Next)>,
    /// Whether it takes a command after `--` (exec).
    command_after_dashes: bool,
}

fn subs(command: &clap::Command) -> Vec<Sub> {
    command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(|sub| {
            let mut longs: Vec<String> = sub
                .get_arguments()
                .filter(|a| !a.is_hide_set())
                .filter_map(|a| a.get_long().map(str::to_owned))
                .collect();
            if !longs.iter().any(|l| l == "help") {
                longs.push("help".to_owned());
            }
            Sub {
                name: sub.get_name().to_owned(),
                first: sub
                    .get_positionals()
                    .find(|a| !a.is_last_set())
                    .and_then(next_of),
                longs,
                valued: sub
                    .get_opts()
                    .filter_map(|a| Some((a.get_long()?.to_owned(), next_of(a)?)))
                    .collect(),
                command_after_dashes: sub.get_positionals().any(clap::Arg::is_last_set),
            }
        })
        .collect()
}

/// tcsh: one `complete` line. tcsh's patterns see positions and the word before the cursor,
/// not which subcommand came first, so `--` offers the long options of every subcommand.
fn tcsh(command: &clap::Command) -> String {
    let subs = subs(command);
    let list = |words: &[String]| format!("({})", words.join(" "));
    let names: Vec<String> = subs.iter().map(|s| s.name.clone()).collect();
    // tcsh takes the first rule that matches: `--opt` first, before the `n/SUB/` rules
    // would offer SUB's argument in its place.
    let mut rules = vec![format!("'p/1/{}/'", list(&names)), String::new()];
    let mut seen_valued: Vec<String> = Vec::new();
    let mut longs: Vec<String> = vec!["help".into(), "version".into()];
    for sub in &subs {
        match &sub.first {
            Some(Next::Words(words)) => rules.push(format!("'n/{}/{}/'", sub.name, list(words))),
            Some(Next::Dir) => rules.push(format!("'n/{}/d/'", sub.name)),
            Some(Next::Command) => rules.push(format!("'n/{}/c/'", sub.name)),
            None => {}
        }
        for (long, next) in &sub.valued {
            if seen_valued.contains(long) {
                continue;
            }
            seen_valued.push(long.clone());
            match next {
                Next::Words(words) => rules.push(format!("'n/--{long}/{}/'", list(words))),
                Next::Dir => rules.push(format!("'n/--{long}/d/'")),
                Next::Command => rules.push(format!("'n/--{long}/c/'")),
            }
        }
        for long in &sub.longs {
            if !longs.contains(long) {
                longs.push(long.clone());
            }
        }
    }
    if subs.iter().any(|s| s.command_after_dashes) {
        rules.push("'n/--/c/'".into());
    }
    rules[1] = format!("'c/--/{}/'", list(&longs));
    // One line and no comment: `eval "`autovenv completions tcsh`"` joins lines into one.
    format!("complete autovenv {}\n", rules.join(" "))
}

/// A Python string literal (the names here are plain ASCII words; quoted all the same).
fn py(word: &str) -> String {
    let mut out = String::from("'");
    for c in word.chars() {
        match c {
            '\\' | '\'' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn py_next(next: Option<&Next>) -> String {
    match next {
        Some(Next::Words(words)) => {
            let items: Vec<String> = words.iter().map(|w| py(w)).collect();
            format!("({},)", items.join(", "))
        }
        Some(Next::Dir) => py("dir"),
        Some(Next::Command) => py("command"),
        None => "None".into(),
    }
}

/// xonsh: a contextual completer for the `autovenv` command. What it cannot tell (a
/// directory, a file) it leaves to xonsh's own path completion.
fn xonsh(command: &clap::Command) -> String {
    let subs = subs(command);
    let mut table = String::new();
    for sub in &subs {
        let longs: Vec<String> = sub.longs.iter().map(|l| py(&format!("--{l}"))).collect();
        let valued: Vec<String> = sub
            .valued
            .iter()
            .map(|(long, next)| format!("{}: {}", py(&format!("--{long}")), py_next(Some(next))))
            .collect();
        let _ = writeln!(
            table,
            "        {}: ({}, ({},), {{{}}}),",
            py(&sub.name),
            py_next(sub.first.as_ref()),
            longs.join(", "),
            valued.join(", "),
        );
    }
    format!(
        r"# xonsh completion for autovenv, generated from its command line:
# execx($(autovenv completions xonsh))
def __autovenv_completer():
    from xonsh.completers.tools import contextual_command_completer_for

    # subcommand: (its first argument, its long options, {{option: its value}})
    subcommands = {{
{table}    }}

    def starting(words, prefix):
        found = {{w for w in words if w.startswith(prefix)}}
        return found or None

    @contextual_command_completer_for('autovenv')
    def complete(context):
        words = [arg.value for arg in context.args[1:context.arg_index]]
        prefix = context.prefix
        if not words:
            return starting(('--help', '--version') + tuple(subcommands), prefix)
        sub = subcommands.get(words[0])
        if sub is None:
            return None
        first, longs, valued = sub
        if len(words) > 1 and words[-1] in valued:
            value = valued[words[-1]]
            return starting(value, prefix) if isinstance(value, tuple) else None
        if '--' in words:
            return None
        if prefix.startswith('-'):
            return starting(longs, prefix)
        if isinstance(first, tuple) and not any(not w.startswith('-') for w in words[1:]):
            return starting(first, prefix)
        return None

    return complete


__xonsh__.completers.pop('autovenv', None)
__xonsh__.completers['autovenv'] = __autovenv_completer()
__xonsh__.completers.move_to_end('autovenv', last=False)
del __autovenv_completer
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcsh_offers_every_subcommand_and_the_hook_shells() {
        let text = tcsh(&crate::cli::command());
        assert!(
            text.contains("'p/1/(hook export allow deny status"),
            "{text}"
        );
        assert!(text.contains("'n/hook/(bash zsh fish"), "{text}");
        assert!(text.contains("'n/allow/d/'"), "{text}");
        assert!(
            text.contains("'n/--deactivate/(full nondestructive)/'"),
            "{text}"
        );
        // tcsh takes the first rule that matches: `export --de` must reach the options.
        let options = text.find("'c/--/(").expect("an options rule");
        assert!(
            options < text.find("'n/export/").expect("export's rule"),
            "{text}"
        );
    }

    #[test]
    fn python_literals_escape_quotes_and_backslashes() {
        assert_eq!(py("a'b\\c"), r"'a\'b\\c'");
    }
}
