//! One way to drive any of the shells: type lines, each followed by a real prompt (and so
//! by the hook), and get back what the shell showed. bash, zsh and tcsh read the lines from
//! a pipe (they run their prompt hooks even then); fish, elvish, nushell and xonsh run
//! theirs only on a terminal, so they get a pseudo-terminal and each driver waits for its
//! shell's prompt before typing on.

use std::path::Path;
use std::process::Command;

use super::pty::Pty;
use super::{Sandbox, Shell};

/// The prompt a session sets in xonsh, the one it waits for after every line.
const XONSH_PROMPT: &str = "xsh% ";

/// What a session's prompt shows, where the session sets one: `None` for bash, zsh and
/// fish, which keep their own default prompts.
pub fn plain_prompt(shell: Shell) -> Option<&'static str> {
    match shell {
        Shell::Bash | Shell::Zsh | Shell::Fish => None,
        Shell::Tcsh => Some("%% "),
        Shell::Elvish | Shell::Nu => Some("> "),
        Shell::Xonsh => Some(XONSH_PROMPT),
    }
}

/// Starts `shell` in `sb`, enters `proj`, and reads back the prompt it shows there and
/// its `VIRTUAL_ENV_PROMPT`.
pub fn prompt_and_venv_prompt_in(sb: &Sandbox, shell: Shell, proj: &Path) -> (String, String) {
    Session::start(sb, shell).run(&[
        shell.cd_line(proj),
        shell.dump_prompt(&sb.out("prompt")),
        shell.dump_var("VIRTUAL_ENV_PROMPT", &sb.out("vep")),
    ]);
    (sb.out_text("prompt"), sb.out_text("vep"))
}

/// Whether `shell` runs on a pseudo-terminal in a session (else it reads a pipe).
pub fn on_terminal(shell: Shell) -> bool {
    matches!(
        shell,
        Shell::Fish | Shell::Elvish | Shell::Nu | Shell::Xonsh
    )
}

/// The interactive shell, without rc files, in the sandbox's environment (and `NO_COLOR`
/// on a terminal, so that what it shows is plain text).
pub fn command(sb: &Sandbox, shell: Shell) -> Command {
    let mut cmd = sb.command(shell.program());
    cmd.args(shell.interactive_args());
    if on_terminal(shell) {
        cmd.env("NO_COLOR", "1");
    }
    cmd
}

/// [`command`] under `strace -f`, which logs every `execve` and opening to `log` (see
/// [`Sandbox::execs_between_markers`]).
pub fn traced_command(sb: &Sandbox, shell: Shell, log: &std::path::Path) -> Command {
    let mut cmd = sb.command("strace");
    cmd.args(["-f", "-qq", "-e", "trace=execve,openat,open,creat", "-o"])
        .arg(log)
        .arg(shell.program())
        .args(shell.interactive_args());
    if on_terminal(shell) {
        cmd.env("NO_COLOR", "1");
    }
    cmd
}

/// A session under `strace` (see [`traced_command`]) with the hook loaded; fish gets a
/// plain prompt first, as its own default one asks git about the directory.
pub fn start_traced(sb: &Sandbox, shell: Shell, log: &std::path::Path) -> Session {
    let mut session = Session::begin(sb, shell, traced_command(sb, shell, log));
    if shell == Shell::Fish {
        session.line(&shell.set_prompt_line("> "));
    }
    session.line(&shell.hook_line());
    session
}

/// Starts `shell` with the hook loaded, types `lines` and returns what it showed; panics
/// unless the shell got through all of them.
pub fn run(sb: &Sandbox, shell: Shell, lines: &[String]) -> Shown {
    Session::start(sb, shell).run(lines)
}

/// [`run`] with `env` added to the shell's environment.
pub fn run_with_env(sb: &Sandbox, shell: Shell, env: &[(&str, &str)], lines: &[String]) -> Shown {
    let mut cmd = command(sb, shell);
    cmd.envs(env.iter().copied());
    let mut session = Session::begin(sb, shell, cmd);
    session.line(&shell.hook_line());
    session.run(lines)
}

/// What a session showed.
pub struct Shown {
    /// On a terminal, everything it showed (carriage returns dropped); through a pipe,
    /// the shell's stdout and then its stderr. Both show the typed lines too.
    pub text: String,
    /// Through a pipe, the shell's stdout alone: what commands printed, without the typed
    /// lines (which an interactive shell echoes to stderr). On a terminal, all of `text`.
    pub stdout: String,
    /// Through a pipe, the shell's stderr alone: prompts, typed lines, messages. On a
    /// terminal, all of `text`.
    pub stderr: String,
    /// Whether the shell ran the last line (and, through a pipe, exited cleanly).
    pub finished: bool,
}

impl Shown {
    /// How many times `needle` was shown.
    pub fn count(&self, needle: &str) -> usize {
        self.text.matches(needle).count()
    }

    /// Asserts that `needle` was shown `times` times; the message shows all that was.
    pub fn assert_count(&self, needle: &str, times: usize) {
        assert_eq!(self.count(needle), times, "{}", self.text);
    }

    /// The one line that contains `needle`; panics, with all that was shown, unless
    /// exactly one does.
    pub fn one_line_with(&self, needle: &str) -> &str {
        let lines = self.lines_with(needle);
        assert_eq!(lines.len(), 1, "{}", self.text);
        lines[0]
    }

    /// The lines that contain `needle`.
    pub fn lines_with(&self, needle: &str) -> Vec<&str> {
        self.text.lines().filter(|l| l.contains(needle)).collect()
    }
}

/// One shell, typed into line by line.
pub struct Session {
    shell: Shell,
    via: Via,
    typed: usize,
}

enum Via {
    Pipe { cmd: Command, script: String },
    Terminal(Pty),
}

impl Session {
    /// Starts `shell` (see [`command`]), sets a plain prompt and loads the hook.
    pub fn start(sb: &Sandbox, shell: Shell) -> Session {
        let mut session = Session::begin(sb, shell, command(sb, shell));
        session.line(&shell.hook_line());
        session
    }

    /// Starts `cmd`, which runs `shell` interactively, and sets a plain prompt: the hook
    /// is not loaded. For nushell the hook is written first where
    /// [`Shell::hook_line`] sources it from.
    pub fn begin(sb: &Sandbox, shell: Shell, cmd: Command) -> Session {
        if shell == Shell::Nu {
            let out = sb.autovenv(&sb.root, &["hook", "nu"]);
            assert!(out.status.success(), "autovenv hook nu failed");
            std::fs::write(sb.home().join("autovenv.nu"), &out.stdout).expect("write hook");
        }
        let via = if on_terminal(shell) {
            let mut pty = Pty::spawn(cmd);
            match shell {
                Shell::Nu => {
                    pty.answer_cursor_queries = true;
                    nu_prompt(&mut pty);
                }
                // The typed line shows the new prompt once, the next prompt again.
                Shell::Xonsh => {
                    pty.expect("\x1b[?2004h");
                    pty.line(&format!("$PROMPT = '{XONSH_PROMPT}'"));
                    pty.expect(XONSH_PROMPT);
                    pty.expect(XONSH_PROMPT);
                }
                _ => {}
            }
            Via::Terminal(pty)
        } else {
            Via::Pipe {
                cmd,
                script: String::new(),
            }
        };
        let mut session = Session {
            shell,
            via,
            typed: 0,
        };
        match shell {
            Shell::Tcsh => session.line("set prompt = '%% '"),
            Shell::Elvish => {
                session.line("set edit:prompt = { put '> ' }; set edit:rprompt = { put '' }")
            }
            Shell::Nu => {
                session.line("$env.config.show_banner = false");
                session.line("$env.PROMPT_COMMAND = {|| '> ' }; $env.PROMPT_COMMAND_RIGHT = ''");
            }
            _ => {}
        }
        session
    }

    /// Types `text` and Enter; on a terminal, waits until the shell is ready for the next
    /// line (fish: until a marker typed after it ran; nushell and xonsh: until the next
    /// prompt is drawn; elvish reads lines typed ahead one at a time, each after a prompt).
    pub fn line(&mut self, text: &str) {
        let n = self.typed;
        self.typed += 1;
        match &mut self.via {
            Via::Pipe { script, .. } => {
                script.push_str(text);
                script.push('\n');
            }
            Via::Terminal(pty) => {
                pty.line(text);
                match self.shell {
                    // Typed, the marker reads `SY%sNC`; only running it prints `SY<n>NC`.
                    // So the next line goes to whatever reads the terminal then (a child
                    // shell too).
                    Shell::Fish => {
                        pty.line(&format!("builtin printf 'SY%sNC\\n' {n}"));
                        pty.expect(&format!("SY{n}NC"));
                    }
                    Shell::Nu => nu_prompt(pty),
                    Shell::Xonsh => {
                        pty.expect(XONSH_PROMPT);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Types each of `lines`.
    pub fn lines(&mut self, lines: &[String]) {
        for line in lines {
            self.line(line);
        }
    }

    /// Types each of `lines`, then [`Session::finish`]es.
    pub fn run(mut self, lines: &[String]) -> Shown {
        self.lines(lines);
        self.finish()
    }

    /// The terminal, for what a test does there itself; panics for a shell on a pipe.
    pub fn pty(&mut self) -> &mut Pty {
        match &mut self.via {
            Via::Terminal(pty) => pty,
            Via::Pipe { .. } => panic!("{:?} reads a pipe, not a terminal", self.shell),
        }
    }

    /// Types a last line that prints a marker, waits for it and returns what the shell
    /// showed; panics unless the shell got there. What it showed also goes to stderr,
    /// which the test harness prints only for a test that fails.
    pub fn finish(self) -> Shown {
        let shell = self.shell;
        let shown = self.try_finish();
        eprintln!("{shell:?} showed:\n{}", shown.text);
        assert!(shown.finished, "the shell did not finish:\n{}", shown.text);
        shown
    }

    /// [`Session::finish`], but telling instead of panicking whether the shell got there
    /// (a terminal that shows nothing more still panics, after a timeout).
    pub fn try_finish(self) -> Shown {
        const END: &str = "END-OF-SESSION";
        // Typed, none of these shows the marker whole; run, each prints it.
        let last = match self.shell {
            Shell::Nu | Shell::Xonsh => "print ('END-OF-' + 'SESSION')",
            _ => "echo \"END-OF-\"SESSION",
        };
        match self.via {
            Via::Pipe { cmd, mut script } => {
                script.push_str(last);
                script.push('\n');
                let run = super::run_piped(cmd, &script);
                let (stdout, stderr) = (run.stdout(), run.stderr());
                Shown {
                    finished: run.output.status.success() && stdout.contains(END),
                    text: format!("{stdout}{stderr}"),
                    stdout,
                    stderr,
                }
            }
            Via::Terminal(mut pty) => {
                pty.line(last);
                pty.expect(END);
                let text = String::from_utf8_lossy(&pty.seen).replace('\r', "");
                Shown {
                    stdout: text.clone(),
                    stderr: text.clone(),
                    text,
                    finished: true,
                }
            }
        }
    }
}

/// Waits until nushell has drawn its prompt: it asks twice in a row where the cursor is
/// (answered as a terminal would), then paints the prompt and shows the cursor. Anything
/// typed before that would be taken for the terminal's answer. (Redrawing a line being
/// typed asks once, so it is not taken for a prompt.)
fn nu_prompt(pty: &mut Pty) {
    pty.expect("\x1b[6n\x1b[6n");
    pty.expect("\x1b[?25h");
}
