//! `autovenv completions SHELL` in every shell autovenv hooks: each script loads in its
//! real interactive shell without an error, and where the shell's line editor completes
//! on a terminal, `autovenv al<TAB>` becomes `autovenv allow`. The copies shipped in the
//! wheel (packaging/wheel-data) are checked against what the binary prints.

#[macro_use]
mod support;

use std::path::Path;

use support::pty::Pty;
use support::session::{self, Session};
use support::{Sandbox, Shell};

/// The line that loads the completion script in `shell` and then prints `loaded=0` (typed,
/// the line shows no `loaded=0`: only running it does). nushell sources only files, so its
/// script is written to a file first.
fn load_line(sb: &Sandbox, shell: Shell) -> String {
    match shell {
        Shell::Bash => "eval \"$(autovenv completions bash)\"; echo loaded=$?".into(),
        Shell::Zsh => "autoload -Uz compinit && compinit -u -D && \
             eval \"$(autovenv completions zsh)\"; echo loaded=$?"
            .into(),
        Shell::Fish => "autovenv completions fish | source; echo loaded=$status".into(),
        // On the sandbox's dumb terminal tcsh edits no line unless told to.
        Shell::Tcsh => "set edit; eval \"`autovenv completions tcsh`\"; echo loaded=$status".into(),
        Shell::Elvish => "eval (autovenv completions elvish | slurp); echo loaded=(+ 0 0)".into(),
        Shell::Nu => {
            let out = sb.autovenv(&sb.root, &["completions", "nushell"]);
            assert!(out.status.success(), "autovenv completions nushell failed");
            let file = sb.path("autovenv-completions.nu");
            std::fs::write(&file, &out.stdout).expect("write nushell completions");
            format!("source {}; print $\"loaded=(0)\"", shell.quote(&file))
        }
        Shell::Xonsh => "execx($(autovenv completions xonsh)); print('loaded=' + str(0))".into(),
    }
}

/// A shell on a terminal with the hook and then the completion script loaded, as an rc
/// file has them. bash, zsh and tcsh, which the other tests drive through a pipe, run on
/// a terminal here: only there does their line editor complete.
enum Term {
    Raw(Pty),
    Session(Session),
}

impl Term {
    fn start(sb: &Sandbox, shell: Shell) -> Term {
        let mut term = if session::on_terminal(shell) {
            let mut cmd = session::command(sb, shell);
            if shell == Shell::Xonsh {
                // On the sandbox's dumb terminal xonsh takes its dumb line reader, which
                // completes nothing: give it a terminal its readline backend will use.
                cmd.env("TERM", "xterm");
            }
            let mut session = Session::begin(sb, shell, cmd);
            session.line(&shell.hook_line());
            Term::Session(session)
        } else {
            let mut pty = Pty::spawn(session::command(sb, shell));
            pty.line(&shell.hook_line());
            Term::Raw(pty)
        };
        let load = load_line(sb, shell);
        term.pty().line(&load);
        term.pty().expect("loaded=0");
        // Keys typed before the line editor reads again reach the terminal's line
        // discipline instead, where Tab is only a character: wait for the next prompt.
        if let (Term::Session(_), Some(prompt)) = (&term, session::plain_prompt(shell)) {
            term.pty().expect(prompt);
        }
        term
    }

    fn pty(&mut self) -> &mut Pty {
        match self {
            Term::Raw(pty) => pty,
            Term::Session(session) => session.pty(),
        }
    }
}

/// Types `autovenv al<TAB>`, then goes to the start of the line (Ctrl-A) and puts a
/// `printf` in front, so that running the line shows the words completion made.
fn completes_a_subcommand(shell: Shell) {
    let sb = Sandbox::new();
    let mut term = Term::start(&sb, shell);
    let pty = term.pty();
    pty.send("autovenv al\t");
    // Let the editor complete before the next keys arrive.
    std::thread::sleep(std::time::Duration::from_millis(300));
    if shell == Shell::Elvish {
        // elvish shows its candidates in a menu, where Enter takes the one and a second
        // Enter runs the line: `autovenv allow`, here in the sandbox.
        pty.send("\r");
        std::thread::sleep(std::time::Duration::from_millis(300));
        pty.send("\r");
        pty.expect("autovenv: allowed ");
        return;
    }
    pty.send("\x01printf '[%s]' ");
    pty.send("\r");
    let shown = pty.expect("[autovenv][allow]");
    assert!(!shown.contains("[al]"), "{shown}");
}

scenario!(completes_a_subcommand in bash zsh fish tcsh xonsh elvish nushell);

/// Where the wheel installs each shell's script, below its environment's prefix: the
/// directories bash-completion, zsh and fish search under a prefix, and autovenv's own
/// for the shells that have none.
const SHIPPED: &[(&str, &str)] = &[
    ("bash", "share/bash-completion/completions/autovenv"),
    ("zsh", "share/zsh/site-functions/_autovenv"),
    ("fish", "share/fish/vendor_completions.d/autovenv.fish"),
    ("elvish", "share/autovenv/completions/autovenv.elv"),
    ("nushell", "share/autovenv/completions/autovenv.nu"),
    ("tcsh", "share/autovenv/completions/autovenv.tcsh"),
    ("xonsh", "share/autovenv/completions/autovenv.xsh"),
];

/// The scripts the wheel carries are what `autovenv completions SHELL` prints now.
#[test]
fn shipped_scripts_match_the_cli() {
    let sb = Sandbox::new();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/wheel-data/data");
    let update = std::env::var_os("AUTOVENV_UPDATE_COMPLETIONS").is_some();
    for (shell, rel) in SHIPPED {
        let out = sb.autovenv(&sb.root, &["completions", shell]);
        assert!(out.status.success(), "autovenv completions {shell} failed");
        assert!(
            !out.stdout.is_empty(),
            "autovenv completions {shell} printed nothing"
        );
        let file = data.join(rel);
        if update {
            std::fs::create_dir_all(file.parent().expect("a parent")).expect("mkdir");
            std::fs::write(&file, &out.stdout).expect("write completions");
        }
        assert!(
            std::fs::read(&file).unwrap_or_default() == out.stdout,
            "{} is stale: run `AUTOVENV_UPDATE_COMPLETIONS=1 cargo test --test completions \\
             shipped` and commit packaging/",
            file.display()
        );
    }
}
