//! Environments that live outside the project, found where their tool put them: a `.venv`
//! redirect file, a `.venv` file naming a `$WORKON_HOME` environment, a pyenv-virtualenv
//! `.python-version`, poetry's and pipenv's environments (made by the real poetry and
//! pipenv, and compared with what they print), and uv's centralized environment (`.venv`
//! a link into uv's cache). Each is entered and left in bash, zsh, fish and one more shell:
//! the tool's own environment is active inside, the environment is exactly as before
//! after leaving.

#[macro_use]
mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use support::session::{self, Session};
use support::{assert_same_env, Sandbox, Shell, Succeeds};

scenario!(prompts_and_cds_inside_a_poetry_project_start_no_process in bash zsh fish);

fn text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Runs a tool in `dir` with the sandbox environment plus `env`; returns its stdout,
/// trimmed, after checking it succeeded.
fn tool(sb: &Sandbox, dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = sb
        .command(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .env("PWD", dir)
        .stdin(Stdio::null())
        .succeeds(&format!("{program} {args:?}"));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// `autovenv status --json` in `dir`, with `env` added.
fn status(sb: &Sandbox, dir: &Path, env: &[(&str, &str)]) -> String {
    tool(
        sb,
        dir,
        &text(&support::binary()),
        &["status", "--json"],
        env,
    )
}

/// In each shell: with `env` exported, entering `proj` activates `expected` (what
/// `python` reports as `sys.prefix`, the prompt showing `prompt`), and leaving restores
/// the environment exactly.
fn enters_and_restores(
    sb: &Sandbox,
    shells: &[Shell],
    proj: &Path,
    env: &[(&str, &str)],
    expected: &Path,
    prompt: &str,
) {
    for &shell in shells {
        let out = |tag: &str| sb.out(&format!("{tag}-{shell:?}"));
        let mut lines: Vec<String> = env.iter().map(|(k, v)| shell.export_line(k, v)).collect();
        lines.extend([
            shell.cd_line(&sb.root),
            shell.dump_env(&out("before")),
            shell.cd_line(proj),
            shell.dump_var("VIRTUAL_ENV", &out("ve")),
            shell.external_to_file("python -c 'import sys; print(sys.prefix)'", &out("prefix")),
            shell.dump_prompt(&out("prompt")),
            shell.cd_line(&sb.root),
            shell.dump_env(&out("after")),
        ]);
        let shown = session::run(sb, shell, &lines);
        let read = |tag: &str| sb.out_text(&format!("{tag}-{shell:?}"));
        assert_eq!(read("ve"), text(expected), "{shell:?}: {}", shown.text);
        assert_eq!(read("prefix").trim(), text(expected), "{shell:?}");
        assert!(
            read("prompt").contains(&format!("({prompt}) ")),
            "{shell:?}: {:?}",
            read("prompt")
        );
        assert_eq!(
            shown.count("autovenv: activated"),
            1,
            "{shell:?}: {}",
            shown.text
        );
        assert_same_env(
            &sb.read_out(&format!("before-{shell:?}")),
            &sb.read_out(&format!("after-{shell:?}")),
        );
    }
}

fn assert_source(json: &str, source: &str, venv: &Path) {
    assert!(
        json.contains(&format!("\"source\": \"{source}\"")),
        "{json}"
    );
    assert!(
        json.contains(&format!("\"venv\": \"{}\"", text(venv))),
        "{json}"
    );
}

/// The prompt poetry gives its environments: `{project_name}-py{python_version}`.
fn poetry_prompt(env: &Path) -> String {
    let name = text(env);
    let minor = name.rsplit_once("-py").map(|(_, v)| v).unwrap_or_default();
    format!("my-proj-x-py{minor}")
}

const POETRY_PROJECT: &str = "[tool.poetry]\nname = \"My_Proj.x\"\nversion = \"0.1.0\"\n\
    description = \"\"\nauthors = []\npackage-mode = false\n\n\
    [tool.poetry.dependencies]\npython = \">=3.8\"\n";

/// poetry's own settings for the tests: no pip in its environments (made offline, fast).
const POETRY_ENV: &[(&str, &str)] = &[("POETRY_VIRTUALENVS_OPTIONS_NO_PIP", "true")];

#[test]
fn poetrys_environment_is_the_one_poetry_uses() {
    let sb = Sandbox::new();
    let proj = sb.mkdir("code/My_Proj.x");
    sb.write("code/My_Proj.x/pyproject.toml", POETRY_PROJECT);
    tool(&sb, &proj, "poetry", &["install", "--no-root"], POETRY_ENV);
    let expected = PathBuf::from(tool(&sb, &proj, "poetry", &["env", "info", "-p"], &[]));
    assert!(!expected.starts_with(&proj), "{}", expected.display());
    assert!(!proj.join(".venv").exists());
    sb.allow(&proj);
    assert_source(&status(&sb, &proj, &[]), "poetry", &expected);
    let shells = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Tcsh];
    enters_and_restores(
        &sb,
        &shells,
        &proj,
        &[],
        &expected,
        &poetry_prompt(&expected),
    );
}

#[test]
fn poetrys_virtualenvs_path_and_env_use_are_followed() {
    let sb = Sandbox::new();
    let proj = sb.mkdir("proj");
    sb.write("proj/pyproject.toml", POETRY_PROJECT);
    let venvs = sb.mkdir("poetry-envs");
    let env = [
        ("POETRY_VIRTUALENVS_OPTIONS_NO_PIP", "true"),
        ("POETRY_VIRTUALENVS_PATH", venvs.to_str().expect("utf-8")),
    ];
    tool(&sb, &proj, "poetry", &["env", "use", "python3"], &env);
    let expected = PathBuf::from(tool(&sb, &proj, "poetry", &["env", "info", "-p"], &env));
    assert!(expected.starts_with(&venvs), "{}", expected.display());
    // A second environment of another name there changes nothing: envs.toml decides.
    support::make_venv(&venvs.join("my-proj-x-AAAAAAAA-py3.99"), &[]);
    sb.allow(&proj);
    assert_source(&status(&sb, &proj, &env), "poetry", &expected);
    let prompt = poetry_prompt(&expected);
    enters_and_restores(&sb, &[Shell::Bash], &proj, &env, &expected, &prompt);
}

#[test]
fn pipenvs_environment_is_the_one_pipenv_uses() {
    let sb = Sandbox::new();
    let proj = sb.mkdir("code/pip proj");
    sb.write("code/pip proj/Pipfile", "");
    let quiet = [("PIPENV_YES", "1"), ("PIPENV_NOSPIN", "1")];
    tool(&sb, &proj, "pipenv", &["--python", "python3"], &quiet);
    let expected = PathBuf::from(tool(&sb, &proj, "pipenv", &["--venv"], &quiet));
    assert!(!expected.starts_with(&proj), "{}", expected.display());
    sb.allow(&proj);
    assert_source(&status(&sb, &proj, &[]), "pipenv", &expected);
    let shells = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Elvish];
    enters_and_restores(&sb, &shells, &proj, &[], &expected, "pip proj");
}

#[test]
fn a_venv_file_holding_a_path_redirects() {
    let sb = Sandbox::new();
    let proj = sb.project("code/proj");
    let env = sb.path("envs/proj-env");
    support::make_venv(&env, &["--prompt", "elsewhere"]);
    sb.write("code/proj/.venv", "../../envs/proj-env\n");
    sb.allow(&proj);
    assert_source(&status(&sb, &proj, &[]), "redirect", &env);
    let shells = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Nu];
    enters_and_restores(&sb, &shells, &proj, &[], &env, "elsewhere");
}

#[test]
fn a_venv_file_holding_a_name_is_under_workon_home() {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    sb.write("proj/.venv", "myenv\n");
    // The default, ~/.virtualenvs, and $WORKON_HOME when it is set.
    let default = sb.home().join(".virtualenvs/myenv");
    support::make_venv(&default, &[]);
    let workon = sb.path("workon");
    support::make_venv(&workon.join("myenv"), &[]);
    sb.allow(&proj);
    assert_source(&status(&sb, &proj, &[]), "workon", &default);
    let env = [("WORKON_HOME", workon.to_str().expect("utf-8"))];
    assert_source(&status(&sb, &proj, &env), "workon", &workon.join("myenv"));
    let shells = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Tcsh];
    enters_and_restores(&sb, &shells, &proj, &env, &workon.join("myenv"), "myenv");
}

#[test]
fn a_python_version_naming_a_pyenv_virtualenv_activates_it() {
    let sb = Sandbox::new();
    // pyenv-virtualenv's layout: the environment under its version, a link beside it.
    let pyenv = sb.mkdir("pyenv");
    support::make_venv(&sb.path("pyenv/versions/3.11.7/envs/myenv"), &[]);
    std::os::unix::fs::symlink("3.11.7/envs/myenv", pyenv.join("versions/myenv")).expect("link");
    let proj = sb.project("proj");
    sb.write("proj/.python-version", "myenv\n");
    sb.allow(&proj);
    let env = [("PYENV_ROOT", pyenv.to_str().expect("utf-8"))];
    let expected = pyenv.join("versions/myenv");
    assert_source(&status(&sb, &proj, &env), "pyenv", &expected);
    let shells = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Xonsh];
    enters_and_restores(&sb, &shells, &proj, &env, &expected, "myenv");
}

#[test]
fn uvs_centralized_environment_is_the_in_project_link() {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    let env = sb
        .home()
        .join(".cache/uv/environments-v2/proj-0123456789abcdef");
    support::make_venv(&env, &["--prompt", "proj"]);
    std::os::unix::fs::symlink(&env, proj.join(".venv")).expect("link");
    sb.allow(&proj);
    let json = status(&sb, &proj, &[]);
    assert_source(&json, "in-project", &proj.join(".venv"));
    let shells = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Xonsh];
    enters_and_restores(&sb, &shells, &proj, &[], &proj.join(".venv"), "proj");
}

#[test]
fn a_tool_project_without_its_environment_names_the_tools_command() {
    let sb = Sandbox::new();
    let poetry = sb.mkdir("poetry-proj");
    sb.write("poetry-proj/pyproject.toml", POETRY_PROJECT);
    let pipenv = sb.mkdir("pipenv-proj");
    sb.write("pipenv-proj/Pipfile", "");
    let shell = Shell::Bash;
    // Not trusted yet: the line says what allow does and what makes the environment.
    let untrusted = Session::start(&sb, shell).run(&[shell.cd_line(&poetry)]);
    let told = untrusted.one_line_with("autovenv allow");
    assert!(
        told.contains("poetry project") && told.contains("`poetry install`"),
        "{}",
        told
    );
    sb.allow(&poetry);
    sb.allow(&pipenv);
    let shown = Session::start(&sb, shell).run(&[
            shell.cd_line(&poetry),
            shell.dump_var("VIRTUAL_ENV", &sb.out("poetry-ve")),
            shell.cd_line(&pipenv),
            shell.dump_var("VIRTUAL_ENV", &sb.out("pipenv-ve")),
            // Made while the shell is in the project: the next prompt finds it.
            "POETRY_VIRTUALENVS_OPTIONS_NO_PIP=true poetry install --no-root -C ../poetry-proj >/dev/null 2>&1".into(),
            shell.cd_line(&poetry),
            format!("poetry env info -p > {}", shell.quote(sb.out("poetry-info"))),
            shell.dump_var("VIRTUAL_ENV", &sb.out("poetry-made")),
        ]);
    sb.assert_outs(&[("poetry-ve", "<unset>"), ("pipenv-ve", "<unset>")]);
    assert!(!poetry.join(".venv").exists() && !pipenv.join(".venv").exists());
    let lines = shown.lines_with("without its environment yet");
    assert_eq!(lines.len(), 2, "{}", shown.text);
    assert!(lines[0].contains("`poetry install`"), "{}", lines[0]);
    assert!(lines[1].contains("`pipenv install`"), "{}", lines[1]);
    shown.assert_count("creating", 0);
    assert_eq!(
        sb.out_text("poetry-made"),
        sb.out_text("poetry-info").trim(),
        "{}",
        shown.text
    );
}

#[test]
fn a_poetry_environment_made_while_in_the_project_activates_at_the_next_prompt() {
    let sb = Sandbox::new();
    let proj = sb.mkdir("proj");
    sb.write("proj/pyproject.toml", POETRY_PROJECT);
    sb.allow(&proj);
    let shell = Shell::Bash;
    Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        "POETRY_VIRTUALENVS_OPTIONS_NO_PIP=true poetry install --no-root >/dev/null 2>&1".into(),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
    ]);
    let expected = tool(&sb, &proj, "poetry", &["env", "info", "-p"], &[]);
    assert_eq!(sb.out_text("ve"), expected);
}

#[test]
fn create_in_tool_projects_makes_a_venv_in_a_poetry_project() {
    let sb = Sandbox::new();
    let proj = sb.mkdir("proj");
    sb.write("proj/pyproject.toml", POETRY_PROJECT);
    sb.write(
        "home/.config/autovenv/config.toml",
        "create_in_tool_projects = true\n",
    );
    sb.allow(&proj);
    let shell = Shell::Bash;
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
    ]);
    assert_eq!(
        sb.out_text("ve"),
        text(&proj.join(".venv")),
        "{}",
        shown.text
    );
    assert_eq!(shown.count("without its environment yet"), 0);
    // poetry takes the .venv autovenv made as the project's.
    let info = tool(&sb, &proj, "poetry", &["env", "info", "-p"], &[]);
    assert_eq!(info, text(&proj.join(".venv")));
}

#[test]
fn a_venv_file_naming_nothing_is_one_line_and_nothing_is_made() {
    let sb = Sandbox::new();
    let proj = sb.project("proj");
    sb.write("proj/.venv", "../gone/env\n");
    sb.allow(&proj);
    let shell = Shell::Bash;
    let shown = Session::start(&sb, shell).run(&[
        shell.cd_line(&proj),
        shell.dump_var("VIRTUAL_ENV", &sb.out("ve")),
        "true".into(),
    ]);
    assert_eq!(sb.out_text("ve"), "<unset>");
    let line = shown.one_line_with("gone/env");
    assert!(line.contains("does not exist"), "{}", line);
    assert!(!sb.path("gone").exists());
    assert_eq!(
        std::fs::read(proj.join(".venv")).expect("the file stays"),
        b"../gone/env\n"
    );
}

#[test]
fn sync_runs_the_tool_that_owns_the_environment() {
    let sb = Sandbox::new();
    let poetry = sb.mkdir("poetry-proj");
    sb.write("poetry-proj/pyproject.toml", POETRY_PROJECT);
    sb.allow(&poetry);
    // No environment yet: poetry makes it, where it keeps them.
    let out = tool(
        &sb,
        &poetry,
        &text(&support::binary()),
        &["sync"],
        POETRY_ENV,
    );
    let made = tool(&sb, &poetry, "poetry", &["env", "info", "-p"], &[]);
    assert!(!poetry.join(".venv").exists(), "{out}");
    assert!(poetry.join("poetry.lock").is_file());
    let json = status(&sb, &poetry, &[]);
    assert_source(&json, "poetry", Path::new(&made));
    assert!(json.contains("\"sync\": \"current\""), "{json}");

    let pipenv = sb.mkdir("pipenv-proj");
    sb.write("pipenv-proj/Pipfile", "");
    let quiet = [("PIPENV_YES", "1"), ("PIPENV_NOSPIN", "1")];
    tool(&sb, &pipenv, "pipenv", &["--python", "python3"], &quiet);
    let env = tool(&sb, &pipenv, "pipenv", &["--venv"], &quiet);
    sb.allow(&pipenv);
    // Without Pipfile.lock, `pipenv install` writes it; into the environment found.
    tool(&sb, &pipenv, &text(&support::binary()), &["sync"], &quiet);
    assert!(pipenv.join("Pipfile.lock").is_file());
    let json = status(&sb, &pipenv, &[]);
    assert_source(&json, "pipenv", Path::new(&env));
    assert!(json.contains("\"sync\": \"current\""), "{json}");
}

/// The hook watches the files that point at the environment and the environment itself:
/// with those unchanged, a prompt or a `cd` inside the project starts no process.
fn prompts_and_cds_inside_a_poetry_project_start_no_process(shell: Shell) {
    let sb = Sandbox::new();
    let proj = sb.mkdir("proj");
    sb.write("proj/pyproject.toml", POETRY_PROJECT);
    sb.mkdir("proj/src/deep");
    tool(&sb, &proj, "poetry", &["install", "--no-root"], POETRY_ENV);
    sb.allow(&proj);
    let log = sb.out("strace.log");
    let mark = |n: usize| shell.touch_line(&sb.out(&format!("m{n}")));
    let mut session = session::start_traced(&sb, shell, &log);
    session.line(&mark(0));
    session.line(&shell.cd_line(&proj));
    session.line(&mark(1));
    session.lines(&[shell.export_line("VAR", "value"), String::new()]);
    for cd in ["cd src", "cd deep", "cd ../..", "cd src/deep"] {
        session.line(cd);
    }
    session.line(&mark(2));
    let shown = session.finish();
    let bin = support::binary().display().to_string();
    let segments = sb.execs_between_markers(&std::fs::read(&log).expect("strace log"), 3);
    assert_eq!(segments[1], vec![bin], "cd in: {}", shown.text);
    assert!(segments[2].is_empty(), "inside: {:?}", segments[2]);
}
