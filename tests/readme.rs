//! The README is run: every fenced block, every rc line of the shells table and the
//! starship example, so the documentation cannot drift from the program. A block that
//! cannot run here is listed in [`NOT_RUN`] with the reason; any other block must be one
//! this file knows how to run, or the test fails.

mod support;

use std::path::{Path, PathBuf};

use support::session::{self, Session};
use support::{Sandbox, Shell, Succeeds};

/// Blocks not run here, by how they start, and why. The install line is kept by whoever
/// owns installing: to run it, give it a case in [`kind`] instead of an entry here.
const NOT_RUN: &[(&str, &str)] = &[
    (
        "RUSTFLAGS='-C target-feature=+crt-static' cargo install --locked --path .",
        "the install line: it builds and installs into ~/.cargo and edits ~/.bashrc",
    ),
    ("./tests/run.sh", "the whole test suite, this test among it"),
    ("rc file:  eval", "the How-it-works diagram, not commands"),
];

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("read README.md")
}

/// One fenced block: its language tag, its text, and the README line it starts on.
struct Block {
    lang: String,
    text: String,
    line: usize,
}

fn blocks(readme: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in readme.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(lang)) => {
                open = Some(Block {
                    lang: lang.trim().to_owned(),
                    text: String::new(),
                    line: i + 1,
                })
            }
            (Some(_), Some("")) => out.extend(open.take()),
            (Some(block), _) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "a fenced block is not closed");
    out
}

/// How a block is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Listed in [`NOT_RUN`].
    NotRun,
    /// A `console` transcript: `$ ` lines typed into bash, the rest what it shows.
    Console,
    /// The config example.
    Config,
    /// nushell's hook installation.
    NuInstall,
}

fn kind(block: &Block) -> Option<Kind> {
    if NOT_RUN
        .iter()
        .any(|(start, _)| block.text.starts_with(start))
    {
        return Some(Kind::NotRun);
    }
    match block.lang.as_str() {
        "console" => Some(Kind::Console),
        "toml" => Some(Kind::Config),
        "nu" => Some(Kind::NuInstall),
        _ => None,
    }
}

#[test]
fn every_block_is_run_or_says_why_not() {
    let readme = readme();
    let found = blocks(&readme);
    for block in &found {
        assert!(
            kind(block).is_some(),
            "README.md:{}: a ```{} block this test does not run: teach tests/readme.rs to run it, or list it in NOT_RUN with the reason",
            block.line,
            block.lang
        );
    }
    let count = |k: Kind| found.iter().filter(|b| kind(b) == Some(k)).count();
    assert_eq!(count(Kind::Config), 1);
    assert_eq!(count(Kind::NuInstall), 1);
    assert!(count(Kind::Console) >= 2);
}

/// The README's text with `/home/me` as the sandbox's home, and what differs from
/// machine to machine (the Python version, a time) made the same.
fn normalized(text: &str, home: &Path) -> String {
    let text = text.replace("/home/me", &home.display().to_string());
    // A creator that has not named its Python within 700 ms (a loaded machine) is
    // announced by the interpreter's name instead.
    let text = text.replace(" with python3 (", " with Python 3 (");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("Python ") {
        out.push_str(&rest[..at + "Python ".len()]);
        rest = &rest[at + "Python ".len()..];
        let version = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if version > 0 {
            out.push('V');
            rest = &rest[version..];
        }
    }
    out.push_str(rest);
    // " in 0.4 s" → " in T s"
    let mut timed = String::new();
    let mut rest = out.as_str();
    while let Some(at) = rest.find(" in ") {
        timed.push_str(&rest[..at + 4]);
        rest = &rest[at + 4..];
        let number = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number > 0 && rest[number..].starts_with(" s") {
            timed.push('T');
            rest = &rest[number..];
        }
    }
    timed.push_str(rest);
    timed
}

/// Runs each `console` block in a real bash (the hook from `~/.bashrc`, the README's rc
/// line) in a sandbox whose home stands for `/home/me`, and checks that every line the
/// README shows is shown.
#[test]
fn console_transcripts_are_what_bash_shows() {
    let readme = readme();
    for block in blocks(&readme)
        .iter()
        .filter(|b| kind(b) == Some(Kind::Console))
    {
        let sb = Sandbox::new();
        let home = sb.home();
        // The world each transcript starts in.
        if block.text.contains("~/code/proj") {
            let proj = sb.project_with_venv("home/code/proj");
            sb.mkdir("home/code/proj/src");
            assert!(proj.starts_with(&home));
        }
        if block.text.contains("~/code/newproj") {
            let proj = sb.project("home/code/newproj");
            sb.allow(&proj);
        }
        std::fs::write(home.join(".bashrc"), format!("{}\n", rc_line(Shell::Bash))).expect("rc");
        let mut typed = Vec::new();
        let mut shown = Vec::new();
        for line in block.text.lines() {
            let line = line.strip_prefix("(.venv) ").unwrap_or(line);
            match line.strip_prefix("$ ") {
                Some(command) => typed.push(command.to_owned()),
                None if line == "$" => {}
                None => shown.push(normalized(line, &home)),
            }
        }
        let mut cmd = sb.command("bash");
        cmd.args(["--noprofile", "-i"])
            .current_dir(&home)
            .env("PWD", &home);
        // How this machine reaches uv's cache and PyPI, for `uv venv --seed`.
        for (name, value) in std::env::vars_os() {
            let upper = name.to_string_lossy().to_ascii_uppercase();
            if upper.starts_with("SSL_CERT")
                || upper.ends_with("_PROXY")
                || upper.starts_with("UV_")
            {
                cmd.env(name, value);
            }
        }
        let cache = std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/uv"));
        if std::env::var_os("UV_CACHE_DIR").is_none() {
            if let Some(cache) = cache {
                cmd.env("UV_CACHE_DIR", cache);
            }
        }
        cmd.env("UV_PYTHON_DOWNLOADS", "never");
        let run = support::run_piped(cmd, &format!("{}\n", typed.join("\n")));
        let actual = normalized(&format!("{}{}", run.stdout(), run.stderr()), &home);
        for line in &shown {
            assert!(
                actual.lines().any(|l| l.trim_end() == line
                    || l.ends_with(&format!(" {line}"))
                    || l.ends_with(&format!("# {line}"))),
                "README.md:{}: the transcript shows\n  {line}\nbut bash showed:\n{actual}",
                block.line
            );
        }
    }
}

/// The config example, as the file: no problem reported, and every key in effect (its
/// `trusted_roots = ["~/code"]` trusts a project there).
#[test]
fn the_config_example_is_a_valid_config() {
    let readme = readme();
    let example = blocks(&readme)
        .into_iter()
        .find(|b| kind(b) == Some(Kind::Config))
        .expect("the config example");
    let sb = Sandbox::new();
    sb.write("home/.config/autovenv/config.toml", &example.text);
    let proj = sb.project_with_venv("home/code/proj");
    let shown = session::run(
        &sb,
        Shell::Bash,
        &[
            Shell::Bash.cd_line(&proj),
            Shell::Bash.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        ],
    );
    shown.assert_count("config.toml", 0);
    assert_eq!(
        sb.out_text("ve"),
        proj.join(".venv").display().to_string(),
        "{}",
        shown.text
    );
}

/// The starship example's `when` command succeeds exactly where the venv is healthy.
#[test]
fn the_starship_example_matches_a_healthy_venv_only() {
    let readme = readme();
    let line = readme
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix('`')
                .and_then(|l| l.strip_prefix("when = "))
        })
        .expect("the starship `when = ...` line");
    let line = line.trim_end_matches(['`', '.']);
    // A TOML string, as starship reads it.
    let value: toml::Table = format!("when = {line}").parse().expect("a TOML string");
    let command = value["when"].as_str().expect("a string").to_owned();
    let sb = Sandbox::new();
    let healthy = sb.project_with_venv("healthy");
    let broken = sb.project_with_venv("broken");
    std::fs::remove_file(broken.join(".venv/bin/python")).expect("rm python");
    sb.allow(&healthy);
    sb.allow(&broken);
    let when = |dir: &Path| {
        sb.command("sh")
            .args(["-c", &command])
            .current_dir(dir)
            .env("PWD", dir)
            .status()
            .expect("sh")
            .success()
    };
    assert!(when(&healthy), "{command} fails in a healthy project");
    assert!(!when(&broken), "{command} succeeds with a broken venv");
}

/// The rc line the README's shells table gives for `shell` (nushell's: see its block).
fn rc_line(shell: Shell) -> String {
    let name = match shell {
        Shell::Bash => "bash",
        Shell::Zsh => "zsh",
        Shell::Fish => "fish",
        Shell::Tcsh => "tcsh",
        Shell::Elvish => "elvish",
        Shell::Nu => "nushell",
        Shell::Xonsh => "xonsh",
    };
    let readme = readme();
    let row = readme
        .lines()
        .find(|l| {
            l.strip_prefix("| ")
                .is_some_and(|rest| rest.split([' ', '|']).next() == Some(name))
        })
        .unwrap_or_else(|| panic!("no row for {name} in the shells table"));
    let cells: Vec<&str> = row.split(" | ").collect();
    let cell = cells.get(2).expect("a line column").trim();
    let code = match cell.strip_prefix("``") {
        Some(rest) => rest.trim_end_matches('`').trim(),
        None => cell.trim_matches('`'),
    };
    code.replace("\\|", "|")
}

/// Where `shell` reads its rc file, under `home`, and how it is started to read it.
fn rc_file(shell: Shell, home: &Path) -> (PathBuf, &'static [&'static str]) {
    match shell {
        Shell::Bash => (home.join(".bashrc"), &["--noprofile", "-i"]),
        Shell::Zsh => (home.join(".zshrc"), &["-i"]),
        Shell::Fish => (home.join(".config/fish/config.fish"), &["-i"]),
        Shell::Tcsh => (home.join(".tcshrc"), &["-i"]),
        Shell::Elvish => (home.join(".config/elvish/rc.elv"), &[]),
        Shell::Nu => (home.join(".config/nushell/config.nu"), &[]),
        Shell::Xonsh => (home.join(".xonshrc"), &["-i", "--shell-type", "readline"]),
    }
}

/// Each shell, started as users start it, with the README's line in its real rc file (for
/// nushell, the README's two lines run first): entering a trusted project activates it.
fn the_rc_line_hooks(shell: Shell) {
    let sb = Sandbox::new();
    let home = sb.home();
    let proj = sb.allowed_project("home/code/proj");
    let (rc, args) = rc_file(shell, &home);
    std::fs::create_dir_all(rc.parent().expect("rc dir")).expect("mkdir");
    if shell == Shell::Nu {
        let readme = readme();
        let install = blocks(&readme)
            .into_iter()
            .find(|b| kind(b) == Some(Kind::NuInstall))
            .expect("the nushell block");
        sb.command("nu")
            .args(["--no-config-file", "-c", &install.text.replace('\n', "; ")])
            .current_dir(&home)
            .succeeds("nu");
        std::fs::write(&rc, "$env.config.show_banner = false\n").expect("rc");
        std::fs::write(rc.with_file_name("env.nu"), "").expect("env.nu");
    } else {
        std::fs::write(&rc, format!("{}\n", rc_line(shell))).expect("rc");
    }
    // As users start it: reading its rc files.
    let mut plain = sb.command(shell.program());
    plain.args(args);
    if session::on_terminal(shell) {
        plain.env("NO_COLOR", "1");
    }
    let mut s = Session::begin(&sb, shell, plain);
    s.lines(&[
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
    ]);
    let shown = s.finish();
    assert_eq!(
        sb.out_text("ve"),
        proj.join(".venv").display().to_string(),
        "{}",
        shown.text
    );
    shown.assert_count("autovenv: activated", 1);
}

mod the_rc_line_hooks {
    use super::Shell;

    #[test]
    fn bash() {
        super::the_rc_line_hooks(Shell::Bash);
    }
    #[test]
    fn zsh() {
        super::the_rc_line_hooks(Shell::Zsh);
    }
    #[test]
    fn fish() {
        super::the_rc_line_hooks(Shell::Fish);
    }
    #[test]
    fn tcsh() {
        super::the_rc_line_hooks(Shell::Tcsh);
    }
    #[test]
    fn elvish() {
        super::the_rc_line_hooks(Shell::Elvish);
    }
    #[test]
    fn nushell() {
        super::the_rc_line_hooks(Shell::Nu);
    }
    #[test]
    fn xonsh() {
        super::the_rc_line_hooks(Shell::Xonsh);
    }
}
