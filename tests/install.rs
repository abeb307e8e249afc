//! Installing autovenv as its users do: the wheel (built by maturin, installed with
//! `uv tool install` and `pipx install`, offline), the README's first command (`cargo
//! install` from this checkout) and the crate as crates.io would receive it. Each
//! installed binary is then used as a user would: its hook loaded in a real bash on a
//! terminal, entering a trusted project activates its venv.
//!
//! The wheel is built once, with `--release` as it is published, into its own target
//! directory (`target/install-test`, beside the one the tests run from, whose lock cargo
//! holds while tests run); the README's `cargo install` builds there too, for its named
//! target (statically linked, it shares no compiled crate with the wheel's build). Both
//! run with the release profile's fat LTO turned off ([`QUICK_RELEASE`], what the `fast`
//! profile does): on two cores that build takes about 80 s instead of nearly 4 minutes,
//! and it changes how the code is optimised, not how it is linked or packaged, which is
//! what these tests check.

mod support;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use support::pty::Pty;
use support::{Sandbox, Shell, Succeeds};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `target/install-test`: where this file's builds go.
fn build_dir() -> PathBuf {
    let target = support::binary()
        .parent()
        .and_then(Path::parent)
        .map(Path::to_owned)
        .expect("the binary under test is in target/PROFILE/");
    target.join("install-test")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn run(cmd: &mut Command, what: &str) -> Output {
    cmd.succeeds(&format!("{what} (tests/run.sh installs it)"))
}

/// The release profile as the `fast` profile has it (see the top of this file).
const QUICK_RELEASE: [(&str, &str); 2] = [
    ("CARGO_PROFILE_RELEASE_LTO", "false"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
];

/// The wheel, built once by `maturin build --release`.
fn wheel() -> &'static Path {
    static WHEEL: OnceLock<PathBuf> = OnceLock::new();
    WHEEL.get_or_init(|| {
        let out_dir = build_dir().join("wheels");
        let _ = std::fs::remove_dir_all(&out_dir);
        run(
            Command::new("maturin")
                .args(["build", "--release", "--locked", "--quiet", "--out"])
                .arg(&out_dir)
                .current_dir(manifest_dir())
                .envs(QUICK_RELEASE)
                .env("CARGO_TARGET_DIR", build_dir()),
            "maturin build",
        );
        let wheels: Vec<PathBuf> = std::fs::read_dir(&out_dir)
            .expect("maturin's output directory")
            .filter_map(|e| Some(e.ok()?.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "whl"))
            .collect();
        assert_eq!(wheels.len(), 1, "one wheel: {wheels:?}");
        wheels[0].clone()
    })
}

/// PATH for a shell that must find the installed `autovenv` and not the one under test.
fn path_with(first: &Path) -> OsString {
    let under_test = support::binary().parent().map(Path::to_owned);
    let mut dirs = vec![first.to_owned()];
    dirs.extend(
        std::env::split_paths(&support::system_path())
            .filter(|d| Some(d) != under_test.as_ref() && !d.join("autovenv").exists()),
    );
    std::env::join_paths(dirs).expect("PATH")
}

/// Whether `file` is an ELF executable that names a program interpreter (PT_INTERP): a
/// dynamically linked one. A statically linked one has none.
fn names_an_interpreter(file: &Path) -> bool {
    let elf = std::fs::read(file).expect("read the installed binary");
    assert!(
        elf.len() > 64 && elf.starts_with(b"\x7fELF") && elf[4] == 2 && elf[5] == 1,
        "{} is not a 64-bit little-endian ELF file",
        file.display()
    );
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([elf[at], elf[at + 1]]));
    let mut phoff = [0u8; 8];
    phoff.copy_from_slice(&elf[0x20..0x28]);
    let phoff = usize::try_from(u64::from_le_bytes(phoff)).expect("phoff");
    let (size, count) = (u16_at(0x36), u16_at(0x38));
    (0..count).any(|i| {
        let at = phoff + i * size;
        elf.get(at..at + 4) == Some(&3u32.to_le_bytes()[..]) // PT_INTERP
    })
}

/// Checks the installed binary is statically linked, by its ELF headers and, where `file`
/// is installed, by what `file` says.
fn assert_static(binary: &Path) {
    let binary = std::fs::canonicalize(binary).expect("the installed binary");
    assert!(
        !names_an_interpreter(&binary),
        "{} is dynamically linked (it has PT_INTERP)",
        binary.display()
    );
    if let Ok(out) = Command::new("file").arg("-b").arg(&binary).output() {
        let said = text(&out.stdout);
        assert!(
            said.contains("statically linked") || said.contains("static-pie linked"),
            "{said}"
        );
    }
}

/// Starts an interactive bash on a terminal with the sandbox's environment, `path` as PATH
/// (and `NO_COLOR`, so that messages are plain text).
fn bash_on_terminal(sb: &Sandbox, path: &OsString) -> Pty {
    let mut cmd = sb.command("bash");
    cmd.args(Shell::Bash.interactive_args())
        .env("PATH", path)
        .env("NO_COLOR", "1");
    Pty::spawn(cmd)
}

/// In a bash whose hook is loaded: `cd` into a project, trust it with the `autovenv` on
/// PATH, and check its venv is active and which `autovenv` ran.
fn enter_and_trust(sb: &Sandbox, term: &mut Pty, expected_binary: &Path) {
    let proj = sb.project_with_venv("proj");
    term.line(&format!("cd {}", Shell::Bash.quote(&proj)));
    term.line("autovenv allow");
    term.expect("autovenv: allowed");
    term.expect("autovenv: activated");
    term.line("printf '<%s|%s>\\n' \"$VIRTUAL_ENV\" \"$(type -P autovenv)\"");
    term.expect(&format!(
        "<{}|{}>",
        proj.join(".venv").display(),
        expected_binary.display()
    ));
}

/// `uv tool install WHEEL`, offline into the sandbox, puts a static `autovenv`, its man
/// pages and its completions in place, and its hook activates a trusted project.
#[test]
fn uv_tool_install_of_the_wheel_works_in_bash() {
    let wheel = wheel();
    let sb = Sandbox::new();
    let (tools, bin) = (sb.path("uv-tools"), sb.path("uv-bin"));
    run(
        sb.command("uv")
            .args([
                "tool",
                "install",
                "--offline",
                "--no-index",
                "--python",
                "python3",
            ])
            .arg(wheel)
            .env("PATH", path_with(&bin))
            .env("UV_TOOL_DIR", &tools)
            .env("UV_TOOL_BIN_DIR", &bin)
            .env("UV_CACHE_DIR", sb.path("uv-cache"))
            .env("UV_PYTHON_DOWNLOADS", "never"),
        "uv tool install",
    );
    let installed = bin.join("autovenv");
    assert_static(&installed);

    // The data files land under the tool's environment, as README's "Install" says.
    let prefix = tools.join("autovenv-shell");
    for page in std::fs::read_dir(manifest_dir().join("man")).expect("man/") {
        let page = page.expect("man page").file_name();
        let shipped = std::fs::read(prefix.join("share/man/man1").join(&page));
        let committed = std::fs::read(manifest_dir().join("man").join(&page)).expect("read");
        assert!(
            shipped.ok() == Some(committed),
            "{page:?} is not in the wheel"
        );
    }
    for rel in [
        "share/bash-completion/completions/autovenv",
        "share/zsh/site-functions/_autovenv",
        "share/fish/vendor_completions.d/autovenv.fish",
        "share/autovenv/completions/autovenv.tcsh",
        "share/autovenv/completions/autovenv.nu",
        "share/autovenv/completions/autovenv.elv",
        "share/autovenv/completions/autovenv.xsh",
    ] {
        assert!(prefix.join(rel).is_file(), "{rel} is not in the wheel");
    }

    let path = path_with(&bin);
    let mut term = bash_on_terminal(&sb, &path);
    term.line("eval \"$(autovenv hook bash)\"");
    enter_and_trust(&sb, &mut term, &installed);
}

/// `pipx install WHEEL`, offline into the sandbox: the same binary, and it works as well.
#[test]
fn pipx_install_of_the_wheel_works_in_bash() {
    let wheel = wheel();
    let sb = Sandbox::new();
    let bin = sb.path("pipx-bin");
    run(
        sb.command("pipx")
            .arg("install")
            .arg(wheel)
            .env("PATH", path_with(&bin))
            .env("PIPX_HOME", sb.path("pipx"))
            .env("PIPX_BIN_DIR", &bin)
            .env("PIPX_MAN_DIR", sb.path("pipx-man"))
            .env("PIP_NO_INDEX", "1"),
        "pipx install",
    );
    let installed = bin.join("autovenv");
    assert_static(&installed);
    // pipx links the man pages where README's "Install" says `man` finds them.
    assert!(
        sb.path("pipx-man/man1/autovenv.1").is_file(),
        "no man page linked"
    );
    let mut term = bash_on_terminal(&sb, &path_with(&bin));
    term.line("eval \"$(autovenv hook bash)\"");
    enter_and_trust(&sb, &mut term, &installed);
}

/// The README's first command, exactly as written there, typed into bash with HOME in the
/// sandbox and cargo installing into it (CARGO_INSTALL_ROOT, as ~/.cargo is for a user,
/// on PATH): it installs a static `autovenv`, adds the hook to ~/.bashrc and starts a bash
/// in which entering a trusted project activates it.
#[test]
fn the_readme_first_command_installs_and_hooks_bash() {
    let readme = std::fs::read_to_string(manifest_dir().join("README.md")).expect("README");
    let line = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|block| block.lines().next())
        .expect("README.md opens with a ```sh block")
        .to_owned();
    assert!(line.contains("cargo install"), "{line}");

    // The wheel first: both builds share the target directory and its lock.
    wheel();
    let sb = Sandbox::new();
    let root = sb.path("cargo-root");
    let real_home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| real_home.join(".cargo"));
    let rustup_home = std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| real_home.join(".rustup"));
    // cargo itself, wherever the running one is (rustup's proxies or a system cargo).
    let cargo_bin = std::env::var_os("CARGO")
        .map(PathBuf::from)
        .and_then(|c| c.parent().map(Path::to_owned))
        .unwrap_or_else(|| cargo_home.join("bin"));
    let mut path = vec![root.join("bin"), cargo_bin];
    path.extend(std::env::split_paths(&path_with(&root.join("bin"))).skip(1));
    let path = std::env::join_paths(path).expect("PATH");

    let mut cmd = sb.command("bash");
    cmd.args(Shell::Bash.interactive_args())
        .current_dir(manifest_dir())
        .env("PATH", &path)
        .env("CARGO_HOME", &cargo_home)
        .env("RUSTUP_HOME", &rustup_home)
        .env("CARGO_INSTALL_ROOT", &root)
        .env("CARGO_TARGET_DIR", build_dir())
        .envs(QUICK_RELEASE)
        .env("CARGO_NET_OFFLINE", "true")
        .env("NO_COLOR", "1");
    if let Some(toolchain) = std::env::var_os("RUSTUP_TOOLCHAIN") {
        cmd.env("RUSTUP_TOOLCHAIN", toolchain);
    }
    let mut term = Pty::spawn(cmd);
    term.line(&line);
    // `exec bash` starts a bash that reads ~/.bashrc: the hook the line put there.
    term.line("printf '<%s>\\n' \"$(type -t _autovenv_hook)\"");
    term.expect("<function>");
    let installed = root.join("bin/autovenv");
    assert_static(&installed);
    let bashrc = std::fs::read_to_string(sb.home().join(".bashrc")).expect("~/.bashrc");
    assert_eq!(bashrc, "eval \"$(autovenv hook bash)\"\n");
    enter_and_trust(&sb, &mut term, &installed);
}

/// The crate as crates.io would receive it: exactly the source, the hook scripts, the man
/// pages, README and LICENSE (with the manifest and lock file cargo adds), and a publish
/// dry run accepts its metadata. The dry run does not build the packaged crate again
/// (`--no-verify`): it would cost a third full build, and every file that build reads is
/// in the list checked here and built by the rest of the suite.
#[test]
fn the_crate_holds_only_what_it_needs_and_a_publish_dry_run_passes() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = run(
        Command::new(&cargo)
            .args([
                "package",
                "--list",
                "--locked",
                "--allow-dirty",
                "--offline",
            ])
            .current_dir(manifest_dir())
            .env("CARGO_TARGET_DIR", build_dir()),
        "cargo package --list",
    );
    let listed = text(&out.stdout);
    let files: Vec<&str> = listed.lines().collect();
    let cargo_adds = [
        "Cargo.toml",
        "Cargo.toml.orig",
        "Cargo.lock",
        ".cargo_vcs_info.json",
    ];
    for file in &files {
        assert!(
            ["src/", "shells/", "man/"]
                .iter()
                .any(|d| file.starts_with(d))
                || ["README.md", "LICENSE"].contains(file)
                || cargo_adds.contains(file),
            "the crate would hold {file}:\n{listed}"
        );
    }
    for needed in [
        "src/main.rs",
        "shells/bash.sh",
        "man/autovenv.1",
        "README.md",
        "LICENSE",
    ] {
        assert!(
            files.contains(&needed),
            "the crate lacks {needed}:\n{listed}"
        );
    }

    run(
        Command::new(&cargo)
            .args([
                "publish",
                "--dry-run",
                "--no-verify",
                "--locked",
                "--allow-dirty",
            ])
            .current_dir(manifest_dir())
            .env("CARGO_TARGET_DIR", build_dir()),
        "cargo publish --dry-run",
    );
}

/// The wheel's man pages are links to man/, one for each page there (maturin copies what
/// they point to), so a new page reaches the wheel.
#[test]
fn the_wheel_links_every_man_page() {
    let linked = manifest_dir().join("packaging/wheel-data/data/share/man/man1");
    let mut pages: Vec<OsString> = std::fs::read_dir(manifest_dir().join("man"))
        .expect("man/")
        .filter_map(|e| Some(e.ok()?.file_name()))
        .collect();
    pages.sort();
    let mut links: Vec<OsString> = std::fs::read_dir(&linked)
        .expect("packaging/wheel-data/data/share/man/man1")
        .filter_map(|e| Some(e.ok()?.file_name()))
        .collect();
    links.sort();
    assert_eq!(
        links,
        pages,
        "link each man page: cd {} && ln -sf ../../../../../../man/NAME.1 .",
        linked.display()
    );
    for page in &pages {
        let link = linked.join(page);
        let target = std::fs::read_link(&link).expect("a symbolic link");
        assert_eq!(target, Path::new("../../../../../../man").join(page));
        assert!(link.is_file(), "{} points nowhere", link.display());
    }
}
