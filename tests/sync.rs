//! `autovenv sync`: real pip, real uv and a real `notify` watch, offline: the packages are
//! wheels the tests build, and the editable project brings its own build backend.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{binary, Sandbox, Shell, Succeeds};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A PEP 517 backend in one file, standing in for setuptools so nothing is downloaded:
/// `build_wheel` packs `<name>/__init__.py`, `build_editable` a `.pth` to the source.
const BACKEND: &str = r#"
import base64, hashlib, os, sys, zipfile

def wheel(directory, name, version, files):
    dist = f"{name}-{version}.dist-info"
    files = dict(files)
    files[f"{dist}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    files[f"{dist}/WHEEL"] = "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    filename = f"{name}-{version}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(os.path.join(directory, filename), "w") as z:
        for path, text in files.items():
            data = text.encode()
            z.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(data)}")
        record.append(f"{dist}/RECORD,,")
        z.writestr(f"{dist}/RECORD", "\n".join(record) + "\n")
    return filename

NAME, VERSION = "edproj", "0.1"

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with open(os.path.join(NAME, "__init__.py")) as f:
        return wheel(wheel_directory, NAME, VERSION, {f"{NAME}/__init__.py": f.read()})

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return wheel(wheel_directory, NAME, VERSION, {f"{NAME}.pth": os.path.abspath(".") + "\n"})

if __name__ == "__main__":
    directory, name, version = sys.argv[1:4]
    wheel(directory, name, version, {f"{name}/__init__.py": f"VALUE = '{name} {version}'\n"})
"#;

/// Builds `wheels/<name>-<version>-py3-none-any.whl` under `dir`; returns its relative path.
fn build_wheel(sb: &Sandbox, dir: &Path, name: &str, version: &str) -> String {
    let backend = sb.write("out/backend.py", BACKEND);
    let wheels = dir.join("wheels");
    std::fs::create_dir_all(&wheels).expect("mkdir wheels");
    Command::new("python3")
        .arg(&backend)
        .arg(&wheels)
        .args([name, version])
        .succeeds("python3");
    format!("./wheels/{name}-{version}-py3-none-any.whl")
}

/// A project whose `.venv` has pip, as `python3 -m venv` makes it.
fn project_with_pip(sb: &Sandbox, rel: &str) -> PathBuf {
    let dir = sb.mkdir(rel);
    Command::new("python3")
        .args(["-m", "venv"])
        .arg(dir.join(".venv"))
        .succeeds("python3 -m venv");
    dir
}

/// The sandbox command with pip and uv kept off the network.
fn offline(sb: &Sandbox, program: impl AsRef<std::ffi::OsStr>, dir: &Path) -> Command {
    let mut cmd = sb.command(program);
    cmd.current_dir(dir)
        .env("PWD", dir)
        .env("PIP_NO_INDEX", "1")
        .env("UV_OFFLINE", "1")
        .env("UV_PYTHON_DOWNLOADS", "never")
        .env("UV_NO_PROGRESS", "1");
    cmd
}

fn autovenv(sb: &Sandbox, dir: &Path, args: &[&str]) -> Output {
    offline(sb, binary(), dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run autovenv")
}

/// What `python -c CODE` prints in the venv at `venv` (stderr when it fails).
fn python(venv: &Path, code: &str) -> Result<String, String> {
    let out = Command::new(venv.join("bin/python"))
        .args(["-c", code])
        .env_remove("PYTHONHOME")
        .output()
        .expect("venv python");
    if out.status.success() {
        Ok(text(&out.stdout).trim().to_owned())
    } else {
        Err(text(&out.stderr))
    }
}

fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn sync_installs_requirements_records_them_and_activation_says_when_they_change() {
    let sb = Sandbox::new();
    let proj = project_with_pip(&sb, "proj");
    let wheel = build_wheel(&sb, &proj, "demo", "1.0");
    std::fs::write(proj.join("requirements.txt"), format!("{wheel}\n")).expect("write");
    sb.allow(&proj);
    let venv = proj.join(".venv");

    let out = autovenv(&sb, &proj, &["sync"]);
    assert_ok(&out);
    assert_eq!(
        python(&venv, "import demo; print(demo.VALUE)"),
        Ok("demo 1.0".into())
    );
    assert!(
        text(&out.stderr).contains("with pip install -r"),
        "{}",
        text(&out.stderr)
    );
    let record = text(&std::fs::read(venv.join(".autovenv-sync")).expect("record"));
    assert!(record.contains(" requirements.txt\n"), "{record}");

    // In step: activation says nothing about syncing.
    let enter = format!(
        "{}\ncd {}\necho END\n",
        Shell::Bash.hook_line(),
        Shell::Bash.quote(&proj)
    );
    let run = sb.run(Shell::Bash, &enter);
    run.assert_ok();
    assert_eq!(
        run.stderr_count("autovenv: activated"),
        1,
        "{}",
        run.stderr()
    );
    assert_eq!(run.stderr_count("since last sync"), 0, "{}", run.stderr());

    std::fs::write(proj.join("requirements.txt"), format!("{wheel}\n# more\n")).expect("write");
    let run = sb.run(Shell::Bash, &enter);
    run.assert_ok();
    let line = run
        .stderr()
        .lines()
        .find(|l| l.contains("autovenv: activated"))
        .map(str::to_owned)
        .unwrap_or_default();
    assert!(
        line.ends_with("requirements.txt changed since last sync: run `autovenv sync`"),
        "{}",
        run.stderr()
    );

    let out = autovenv(&sb, &proj, &["sync"]);
    assert_ok(&out);
    let run = sb.run(Shell::Bash, &enter);
    assert_eq!(run.stderr_count("since last sync"), 0, "{}", run.stderr());
}

#[test]
fn sync_installs_a_pyproject_project_editable() {
    let sb = Sandbox::new();
    let proj = project_with_pip(&sb, "proj");
    sb.write("proj/backend.py", BACKEND);
    sb.write(
        "proj/pyproject.toml",
        "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n\n[project]\nname = \"edproj\"\nversion = \"0.1\"\n",
    );
    sb.write("proj/edproj/__init__.py", "VALUE = 'first'\n");
    sb.allow(&proj);
    let out = autovenv(&sb, &proj, &["sync"]);
    assert_ok(&out);
    assert!(
        text(&out.stderr).contains("pip install -e ."),
        "{}",
        text(&out.stderr)
    );
    let venv = proj.join(".venv");
    assert_eq!(
        python(&venv, "import edproj; print(edproj.VALUE)"),
        Ok("first".into())
    );
    // Editable: the source is what is imported.
    sb.write("proj/edproj/__init__.py", "VALUE = 'edited'\n");
    assert_eq!(
        python(&venv, "import edproj; print(edproj.VALUE)"),
        Ok("edited".into())
    );
}

#[test]
fn sync_runs_uv_sync_for_a_uv_lock_and_uv_pip_for_a_venv_without_pip() {
    let sb = Sandbox::new();
    let proj = sb.mkdir("uvproj");
    let wheel = build_wheel(&sb, &proj, "demo", "2.0");
    sb.write(
        "uvproj/pyproject.toml",
        &format!(
            "[project]\nname = \"uvproj\"\nversion = \"0.1\"\nrequires-python = \">=3.8\"\ndependencies = [\"demo\"]\n\n\
             [tool.uv]\npackage = false\n\n[tool.uv.sources]\ndemo = {{ path = \"{wheel}\" }}\n"
        ),
    );
    let out = offline(&sb, "uv", &proj)
        .arg("lock")
        .output()
        .expect("uv lock");
    assert_ok(&out);
    sb.allow(&proj);
    // No venv yet: uv makes it.
    let out = autovenv(&sb, &proj, &["sync"]);
    assert_ok(&out);
    assert!(
        text(&out.stderr).contains("with uv sync"),
        "{}",
        text(&out.stderr)
    );
    let venv = proj.join(".venv");
    assert_eq!(
        python(&venv, "import demo; print(demo.VALUE)"),
        Ok("demo 2.0".into())
    );
    let record = text(&std::fs::read(venv.join(".autovenv-sync")).expect("record"));
    assert!(
        record.contains(" uv.lock\n") && record.contains(" pyproject.toml\n"),
        "{record}"
    );

    // A venv without pip gets its requirements through `uv pip`.
    let plain = sb.project_with_venv("plain");
    std::fs::remove_file(plain.join("pyproject.toml")).expect("rm");
    let wheel = build_wheel(&sb, &plain, "other", "3.0");
    sb.write("plain/requirements-dev.txt", &format!("{wheel}\n"));
    sb.allow(&plain);
    let out = autovenv(&sb, &plain, &["sync"]);
    assert_ok(&out);
    assert_eq!(
        python(&plain.join(".venv"), "import other; print(other.VALUE)"),
        Ok("other 3.0".into())
    );
}

/// A relative `PATH` entry names a different directory wherever a command runs: sync skips
/// it, as creation does, and never runs a `uv` found through it.
#[test]
fn sync_never_runs_a_uv_found_through_a_relative_path_entry() {
    let sb = Sandbox::new();
    let plain = sb.project_with_venv("plain");
    std::fs::remove_file(plain.join("pyproject.toml")).expect("rm");
    let wheel = build_wheel(&sb, &plain, "other", "3.0");
    sb.write("plain/requirements.txt", &format!("{wheel}\n"));
    let ran = sb.path("fake-uv-ran");
    sb.write(
        "plain/tools/uv",
        &format!("#!/bin/sh\ntouch '{}'\nexit 1\n", ran.display()),
    );
    std::fs::set_permissions(
        plain.join("tools/uv"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    sb.allow(&plain);
    let out = offline(&sb, "bash", &plain)
        .arg("-c")
        .arg(format!("PATH=tools:$PATH; '{}' sync", binary().display()))
        .stdin(Stdio::null())
        .output()
        .expect("bash");
    assert_ok(&out);
    assert!(
        !ran.exists(),
        "the uv in ./tools ran: {}",
        text(&out.stderr)
    );
    assert_eq!(
        python(&plain.join(".venv"), "import other; print(other.VALUE)"),
        Ok("other 3.0".into())
    );
}

#[test]
fn sync_refuses_untrusted_projects_and_says_when_there_is_nothing_to_sync() {
    let sb = Sandbox::new();
    let proj = sb.project_with_venv("proj");
    sb.write("proj/requirements.txt", "./nothing-here\n");
    let out = autovenv(&sb, &proj, &["sync"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("`autovenv allow {}`", proj.display())),
        "{err}"
    );
    assert!(!proj.join(".venv/.autovenv-sync").exists());

    let bare = sb.mkdir("bare");
    sb.write("bare/.python-version", "3.11\n");
    sb.allow(&bare);
    let out = autovenv(&sb, &bare, &["sync"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("declares no dependencies"), "{err}");
    assert!(
        !bare.join(".venv").exists(),
        "nothing to sync, so no venv either"
    );

    // A failing installer: status 1, and nothing is recorded.
    let broken = project_with_pip(&sb, "broken");
    sb.write(
        "broken/requirements.txt",
        "./no-such-wheel-1.0-py3-none-any.whl\n",
    );
    sb.allow(&broken);
    let out = autovenv(&sb, &broken, &["sync"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("pip install -r exited with status"));
    assert!(!broken.join(".venv/.autovenv-sync").exists());
}

/// Collects a child's stderr on a thread, so the child never blocks on a full pipe.
fn drain_stderr(child: &mut Child) -> std::thread::JoinHandle<String> {
    let mut stderr = child.stderr.take().expect("piped stderr");
    std::thread::spawn(move || {
        let mut all = String::new();
        let _ = stderr.read_to_string(&mut all);
        all
    })
}

/// Polls `done` every half second for up to a minute.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn sync_watch_installs_what_requirements_txt_gains_and_stops_cleanly_on_ctrl_c() {
    let sb = Sandbox::new();
    let proj = project_with_pip(&sb, "proj");
    let first = build_wheel(&sb, &proj, "demo", "1.0");
    let second = build_wheel(&sb, &proj, "later", "1.0");
    std::fs::write(proj.join("requirements.txt"), format!("{first}\n")).expect("write");
    sb.allow(&proj);
    let venv = proj.join(".venv");

    let mut child = offline(&sb, binary(), &proj)
        .args(["sync", "--watch"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sync --watch");
    let stderr = drain_stderr(&mut child);
    // The first sync happens on start, since the venv was never synced.
    wait_for("demo to be installed", || {
        python(&venv, "import demo").is_ok()
    });
    wait_for("the first record", || venv.join(".autovenv-sync").exists());

    std::fs::write(
        proj.join("requirements.txt"),
        format!("{first}\n{second}\n"),
    )
    .expect("write");
    wait_for("later to be installed", || {
        python(&venv, "import later").is_ok()
    });
    wait_for("the record to catch up", || {
        let status = autovenv(&sb, &proj, &["status", "--json"]);
        text(&status.stdout).contains("\"sync\": \"current\"")
    });

    // SAFETY: signalling our own child by its id.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(rc, 0);
    let status = child.wait().expect("wait for sync --watch");
    let stderr = stderr.join().expect("stderr thread");
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.matches("autovenv: synced").count(), 2, "{stderr}");
    assert!(stderr.contains("watching"), "{stderr}");
    assert!(
        stderr.trim_end().ends_with("autovenv: stopped watching"),
        "{stderr}"
    );
}

/// A uv project: `[tool.uv]`, a path dependency on `demo` 2.0; `uv.lock` when `locked`.
fn uv_project(sb: &Sandbox, rel: &str, locked: bool) -> PathBuf {
    let proj = sb.mkdir(rel);
    let wheel = build_wheel(sb, &proj, "demo", "2.0");
    std::fs::write(
        proj.join("pyproject.toml"),
        format!(
            "[project]\nname = \"uvproj\"\nversion = \"0.1\"\nrequires-python = \">=3.8\"\ndependencies = [\"demo\"]\n\n\
             [tool.uv]\npackage = false\n\n[tool.uv.sources]\ndemo = {{ path = \"{wheel}\" }}\n"
        ),
    )
    .expect("write pyproject.toml");
    if locked {
        assert_ok(
            &offline(sb, "uv", &proj)
                .arg("lock")
                .output()
                .expect("uv lock"),
        );
    }
    proj
}

/// What entering `proj` in a real bash with the hook says on its activation line.
fn activation_line(sb: &Sandbox, proj: &Path) -> String {
    let enter = format!(
        "{}\ncd {}\necho END\n",
        Shell::Bash.hook_line(),
        Shell::Bash.quote(proj)
    );
    let run = sb.run(Shell::Bash, &enter);
    run.assert_ok();
    run.stderr()
        .lines()
        .find(|l| l.contains("autovenv: activated"))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no activation line: {}", run.stderr()))
}

#[test]
fn uv_keeping_the_venv_in_step_is_not_a_stale_sync_but_an_uninstalled_change_is() {
    let sb = Sandbox::new();
    let proj = uv_project(&sb, "uvproj", true);
    sb.allow(&proj);
    assert_ok(&autovenv(&sb, &proj, &["sync"]));
    // uv writes pyproject.toml and uv.lock, and installs the change itself.
    let six = build_wheel(&sb, &proj, "six", "1.0");
    assert_ok(
        &offline(&sb, "uv", &proj)
            .args(["add", &six])
            .output()
            .expect("uv add"),
    );
    assert_eq!(
        python(&proj.join(".venv"), "import six; print(six.VALUE)"),
        Ok("six 1.0".into())
    );
    let line = activation_line(&sb, &proj);
    assert!(!line.contains("since last sync"), "{line}");
    let out = autovenv(&sb, &proj, &["status", "--json"]);
    assert!(
        text(&out.stdout).contains("\"sync\": \"current\""),
        "{}",
        text(&out.stdout)
    );

    // A lock that nothing installed yet (a pull, `uv lock`) is stale.
    let lock = std::fs::read_to_string(proj.join("uv.lock")).expect("read uv.lock");
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(proj.join("uv.lock"), format!("{lock}\n# pulled\n")).expect("write");
    let line = activation_line(&sb, &proj);
    assert!(line.contains("uv.lock changed since last sync"), "{line}");

    // So is a pyproject.toml edited by hand, which uv has not locked.
    assert_ok(&autovenv(&sb, &proj, &["sync"]));
    let pyproject = std::fs::read_to_string(proj.join("pyproject.toml")).expect("read");
    std::fs::write(
        proj.join("pyproject.toml"),
        pyproject.replace("dependencies = [", "dependencies = [\"other\", "),
    )
    .expect("write");
    let line = activation_line(&sb, &proj);
    assert!(
        line.ends_with("pyproject.toml changed since last sync: run `autovenv sync`"),
        "{line}"
    );
}

#[test]
fn sync_of_a_fresh_uv_project_without_a_lock_runs_uv_sync() {
    let sb = Sandbox::new();
    let proj = uv_project(&sb, "fresh", false);
    sb.allow(&proj);
    let out = autovenv(&sb, &proj, &["sync"]);
    assert_ok(&out);
    assert!(
        text(&out.stderr).contains("with uv sync"),
        "{}",
        text(&out.stderr)
    );
    assert!(proj.join("uv.lock").is_file());
    assert_eq!(
        python(&proj.join(".venv"), "import demo; print(demo.VALUE)"),
        Ok("demo 2.0".into())
    );
}
