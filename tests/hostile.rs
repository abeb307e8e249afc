//! A hostile checkout: every file autovenv reads on the way into a project made a link to
//! `/dev/tty` or `/dev/zero`, a FIFO, a 100 MB (sparse) file; a `.venv` that links to its
//! own parent; a directory no one may read. Entering each, in real interactive bash, zsh
//! and fish on a terminal with the hook loaded from their rc files, gives the prompt back,
//! the shell still answers a typed line, and nothing is deleted. The directory no one may
//! read is also entered by a shell that runs as `nobody`, for whom mode 000 means it.

#[macro_use]
mod support;

use std::collections::BTreeMap;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::pty::Pty;
use support::{make_venv, Sandbox, Shell};

/// The prompt the rc files set; the hook may put `(.venv) ` before it.
const PROMPT: &str = "HOSTILE> ";

/// How long the prompt may take to come back: generous, for a loaded machine and for the
/// venvs created on the way. A read that blocks never comes back at all.
const WAIT: Duration = Duration::from_secs(15);

/// What a hostile file is.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Tty,
    Zero,
    Fifo,
    Huge,
}

const KINDS: [Kind; 4] = [Kind::Tty, Kind::Zero, Kind::Fifo, Kind::Huge];

impl Kind {
    /// Makes `path` this kind of file (replacing whatever is there).
    fn make(self, path: &Path) {
        let _ = std::fs::remove_file(path);
        match self {
            Kind::Tty => std::os::unix::fs::symlink("/dev/tty", path).expect("symlink"),
            Kind::Zero => std::os::unix::fs::symlink("/dev/zero", path).expect("symlink"),
            Kind::Fifo => {
                let c = CString::new(path.as_os_str().as_bytes()).expect("path");
                // SAFETY: a valid NUL-terminated path.
                assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
            }
            Kind::Huge => std::fs::File::create(path)
                .and_then(|f| f.set_len(100 * 1024 * 1024))
                .expect("sparse file"),
        }
    }

    /// How a refusal to read it is worded.
    fn refused(self) -> &'static str {
        match self {
            Kind::Tty | Kind::Zero => "is a device, not a regular file",
            Kind::Fifo => "is a FIFO, not a regular file",
            Kind::Huge => "is larger than",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Tty => "tty",
            Kind::Zero => "zero",
            Kind::Fifo => "fifo",
            Kind::Huge => "huge",
        }
    }
}

/// One directory to enter, and what must be seen there besides the prompt coming back.
struct Case {
    dir: PathBuf,
    /// A line that must be shown on entering.
    shown: Option<String>,
    /// Whether the project's venv is active afterwards.
    active: bool,
    /// Done (from outside the shell) just before entering.
    before: Option<Box<dyn Fn()>>,
}

impl Case {
    /// A case with nothing done before entering.
    fn new(dir: PathBuf, shown: Option<String>, active: bool) -> Case {
        Case {
            dir,
            shown,
            active,
            before: None,
        }
    }
}

/// A copy of the real venv at `base` at `dir/.venv`.
fn venv_copy(base: &Path, dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).expect("mkdir");
    let venv = dir.join(".venv");
    let ok = Command::new("cp")
        .arg("-a")
        .arg(base)
        .arg(&venv)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "cp -a {} {}", base.display(), venv.display());
    venv
}

fn pyproject(dir: &Path) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join("pyproject.toml"), "[project]\nname = \"demo\"\n").expect("write");
}

/// Every directory below the trusted root, one per hostile file.
fn hostile_tree(sb: &Sandbox) -> Vec<Case> {
    let base = sb.path("base-venv");
    make_venv(&base, &[]);
    let root = sb.path("hostile");
    let mut cases = Vec::new();
    // A project at `root/name` with a copy of the real venv: both paths.
    let project = |name: String| {
        let dir = root.join(name);
        pyproject(&dir);
        let venv = venv_copy(&base, &dir);
        (dir, venv)
    };
    for kind in KINDS {
        // The venv's own pyvenv.cfg: the venv is refused with one line.
        let (dir, venv) = project(format!("cfg-{}", kind.name()));
        kind.make(&venv.join("pyvenv.cfg"));
        cases.push(Case::new(
            dir,
            Some(format!("pyvenv.cfg {}", kind.refused())),
            false,
        ));

        // bin/python is only looked at, never opened; a huge one is a regular file.
        let (dir, venv) = project(format!("python-{}", kind.name()));
        kind.make(&venv.join("bin/python"));
        cases.push(Case::new(
            dir,
            match kind {
                Kind::Huge => None,
                _ => Some(format!("bin/python {}", kind.refused())),
            },
            matches!(kind, Kind::Huge),
        ));

        // The sync record inside the venv: read at activation, taken as no record.
        let (dir, venv) = project(format!("record-{}", kind.name()));
        kind.make(&venv.join(".autovenv-sync"));
        cases.push(Case::new(dir, None, true));

        // A dependency file the record names: hashed at activation, bounded; one that
        // cannot be read counts as changed.
        let dir = root.join(format!("requirements-{}", kind.name()));
        let venv = venv_copy(&base, &dir);
        std::fs::write(
            venv.join(".autovenv-sync"),
            format!("autovenv-sync 1\n{} requirements.txt\n", "0".repeat(64)),
        )
        .expect("write record");
        kind.make(&dir.join("requirements.txt"));
        cases.push(Case::new(
            dir,
            Some("requirements.txt changed since last sync".into()),
            true,
        ));

        // .python-version in a project without a venv: read when the venv is created,
        // and taken as absent.
        let dir = root.join(format!("version-{}", kind.name()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        kind.make(&dir.join(".python-version"));
        cases.push(Case::new(dir, Some("autovenv: created and".into()), true));
    }

    // A venv that is its own project directory.
    let dir = root.join("loop");
    pyproject(&dir);
    std::os::unix::fs::symlink("..", dir.join(".venv")).expect("symlink");
    cases.push(Case::new(dir, Some("it has no pyvenv.cfg".into()), false));

    // A venv directory with mode 000. root reads it anyway (so there it is activated);
    // anyone else is told it cannot be read (see the next test, which runs as `nobody`).
    // Either way the prompt comes back.
    let (dir, venv) = project("unreadable".into());
    std::fs::set_permissions(&venv, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    // SAFETY: geteuid only reads the process's credentials.
    let root_user = unsafe { libc::geteuid() } == 0;
    cases.push(Case::new(
        dir,
        (!root_user).then(|| "pyvenv.cfg cannot be read".into()),
        root_user,
    ));

    // The config file, read at every evaluation: one line, and the defaults meanwhile.
    let config = sb.home().join(".config/autovenv/config.toml");
    std::fs::create_dir_all(config.parent().expect("parent")).expect("mkdir");
    // Each is a project of its own, so that entering it runs autovenv. /dev/zero comes
    // first: /dev/tty's line is the same, and a shell shows it once.
    for kind in [Kind::Zero, Kind::Tty, Kind::Fifo, Kind::Huge] {
        let dir = sb.path(format!("elsewhere/config-{}", kind.name()));
        pyproject(&dir);
        let config = config.clone();
        cases.push(Case {
            dir,
            shown: match kind {
                Kind::Tty => None,
                _ => Some(format!(
                    "config.toml: cannot read it (it {}",
                    kind.refused()
                )),
            },
            active: false,
            before: Some(Box::new(move || kind.make(&config))),
        });
    }
    cases
}

/// Every entry under `dir`, links not followed: its kind, size and target.
fn listing(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut found = BTreeMap::new();
    for (path, meta) in support::entries(dir) {
        let what = if meta.file_type().is_symlink() {
            format!("link {:?}", std::fs::read_link(&path).ok())
        } else if meta.is_dir() {
            "dir".into()
        } else {
            format!("mode {:o} size {}", meta.mode() & 0o170_000, meta.len())
        };
        found.insert(path, what);
    }
    found
}

/// `PATH` with autovenv, the machine's real `python3` and `uv` (not shims, which read
/// `.python-version` themselves) and the system's programs.
fn programs(sb: &Sandbox) -> std::ffi::OsString {
    let bin = sb.mkdir("bin");
    let real = |code: &str| {
        let out = Command::new("python3")
            .args(["-c", code])
            .output()
            .expect("run python3");
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    };
    let python = real("import sys; print(sys.executable)");
    std::os::unix::fs::symlink(python, bin.join("python3")).expect("link python3");
    let uv = real("import uv; print(uv.find_uv_bin())");
    if uv.is_file() {
        std::os::unix::fs::symlink(uv, bin.join("uv")).expect("link uv");
    }
    support::path_with(&bin)
}

/// Writes the rc file that sets the prompt and loads the hook, and the command that starts
/// `shell` reading it.
fn shell_command(sb: &Sandbox, shell: Shell) -> Command {
    let hook = shell.hook_line();
    let mut cmd = sb.command(shell.program());
    match shell {
        Shell::Bash => {
            let rc = sb.write("home/.bashrc", &format!("PS1='{PROMPT}'\n{hook}\n"));
            cmd.arg("--rcfile").arg(rc).arg("-i");
        }
        Shell::Zsh => {
            sb.write("home/zdot/.zshrc", &format!("PS1='{PROMPT}'\n{hook}\n"));
            cmd.env("ZDOTDIR", sb.path("home/zdot")).args(["-d", "-i"]);
        }
        Shell::Fish => {
            sb.write(
                "home/.config/fish/config.fish",
                &format!("function fish_prompt\n    printf '%s' '{PROMPT}'\nend\n{hook}\n"),
            );
            cmd.arg("-i");
        }
        _ => panic!("{shell:?} is not driven here"),
    }
    cmd.env("AUTOVENV_TRUSTED_ROOTS", sb.path("hostile"))
        .env("NO_COLOR", "1");
    // Venvs are created with uv's package cache shared with the machine and its way to
    // PyPI, so that `uv venv --seed` needs no download.
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
    let cache = std::env::var_os("UV_CACHE_DIR")
        .unwrap_or_else(|| PathBuf::from(home).join(".cache/uv").into_os_string());
    cmd.env("UV_CACHE_DIR", cache)
        .env("UV_PYTHON_DOWNLOADS", "never")
        .env("PATH", programs(sb));
    support::pass_network_settings(&mut cmd);
    // A read without end must not take the machine's memory with it: it fails at 2 GiB.
    // SAFETY: setrlimit is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 2 << 30,
                rlim_max: 2 << 30,
            };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            Ok(())
        });
    }
    cmd
}

fn enters_every_hostile_directory(shell: Shell) {
    let sb = Sandbox::new();
    let cases = hostile_tree(&sb);
    let before = listing(&sb.path("hostile"));
    let mut term = Pty::spawn(shell_command(&sb, shell));
    term.expect_within(PROMPT, WAIT);
    for (n, case) in cases.iter().enumerate() {
        if let Some(before) = &case.before {
            before();
        }
        let dir = case.dir.to_string_lossy();
        term.line(&format!("cd '{dir}'"));
        // The shell answers the next line; what it prints is not what was typed.
        term.line(&format!("echo \"AL\"\"IVE-{n} [$VIRTUAL_ENV]\""));
        let venv = if case.active {
            format!("{dir}/.venv")
        } else {
            String::new()
        };
        let shown = term.expect_within(&format!("ALIVE-{n} [{venv}]"), WAIT);
        if let Some(line) = &case.shown {
            assert!(
                shown.contains(line.as_str()),
                "in {dir}, expected {line:?}:\n{shown}"
            );
        }
        term.expect_within(PROMPT, WAIT);
    }
    let after = listing(&sb.path("hostile"));
    for (path, what) in &before {
        assert_eq!(after.get(path), Some(what), "{} changed", path.display());
    }
    // So that the sandbox can be removed.
    let _ = std::fs::set_permissions(
        sb.path("hostile/unreadable/.venv"),
        std::fs::Permissions::from_mode(0o755),
    );
}

scenario!(enters_every_hostile_directory in bash zsh fish);

/// root reads a directory with mode 000 anyway, so the shell runs as `nobody` here (when
/// the tests run as root): a venv it cannot read is refused with one line.
#[test]
fn a_venv_that_cannot_be_read_is_refused_in_one_line() {
    let sb = Sandbox::new();
    let base = sb.path("base-venv");
    make_venv(&base, &[]);
    let dir = sb.path("hostile/unreadable");
    pyproject(&dir);
    let venv = venv_copy(&base, &dir);
    std::fs::set_permissions(&venv, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let mut cmd = shell_command(&sb, Shell::Bash);
    // SAFETY: geteuid only reads the process's credentials.
    if unsafe { libc::geteuid() } == 0 {
        // SAFETY: setgroups, setgid and setuid are async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                const NOBODY: libc::uid_t = 65534;
                if libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(NOBODY) != 0
                    || libc::setuid(NOBODY) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut term = Pty::spawn(cmd);
    term.expect_within(PROMPT, WAIT);
    term.line(&format!("cd '{}'", dir.display()));
    term.line("echo \"AL\"\"IVE [$VIRTUAL_ENV]\"");
    let shown = term.expect_within("ALIVE []", WAIT);
    let _ = std::fs::set_permissions(&venv, std::fs::Permissions::from_mode(0o755));
    let told = format!(
        "{}/pyvenv.cfg cannot be read (Permission denied",
        venv.display()
    );
    assert_eq!(shown.matches(&told).count(), 1, "{shown}");
}
