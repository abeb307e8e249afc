//! Load: one shell doing 10 000 `cd`s across 100 projects of every kind. Nothing may grow:
//! not the exported variables, not the functions, not the shell's memory.

mod support;

use std::path::PathBuf;
use std::time::Instant;

use support::{Sandbox, Shell};

const SH: Shell = Shell::Bash;
const CDS: usize = 10_000;

/// Lines that record the shell's exported variables, functions, memory and session size.
fn probe(sb: &Sandbox, tag: &str) -> String {
    format!(
        "{{ env | wc -l; declare -F | wc -l; grep VmRSS /proc/$$/status | tr -dc 0-9; echo; printf %s \"$_autovenv_session\" | wc -c; }} > {}",
        SH.quote(sb.out(tag))
    )
}

fn read_probe(sb: &Sandbox, tag: &str) -> Vec<u64> {
    String::from_utf8_lossy(&sb.read_out(tag))
        .lines()
        .map(|l| l.trim().parse().unwrap_or(u64::MAX))
        .collect()
}

#[test]
fn ten_thousand_cds_across_a_hundred_projects_grow_nothing() {
    let sb = Sandbox::new();
    sb.write("home/.config/autovenv/config.toml", "auto_create = false\n");
    // Four real venvs; the hundred projects link to them (python3 makes a venv in ~0.2 s).
    let shared: Vec<PathBuf> = (0..4)
        .map(|i| {
            let venv = sb.path(format!("venvs/{i}"));
            support::make_venv(&venv, &[]);
            venv
        })
        .collect();
    let mut dirs = Vec::new();
    for i in 0..25 {
        // Trusted with a venv, and a nested sub-project with its own venv inside it.
        let proj = sb.project(format!("trusted/p{i}"));
        std::os::unix::fs::symlink(&shared[i % 4], proj.join(".venv")).expect("link");
        sb.allow(&proj);
        let nested = sb.project(format!("trusted/p{i}/packages/inner"));
        std::os::unix::fs::symlink(&shared[(i + 1) % 4], nested.join(".venv")).expect("link");
        sb.allow(&nested);
        sb.mkdir(format!("trusted/p{i}/src/deep"));
        dirs.push(proj.clone());
        dirs.push(proj.join("src/deep"));
        dirs.push(nested);
        // Untrusted with a venv.
        let untrusted = sb.project(format!("untrusted/u{i}"));
        std::os::unix::fs::symlink(&shared[i % 4], untrusted.join(".venv")).expect("link");
        dirs.push(untrusted);
        // A trusted project without a venv, and a plain directory.
        let bare = sb.project(format!("bare/b{i}"));
        sb.allow(&bare);
        dirs.push(bare);
        dirs.push(sb.mkdir(format!("plain/d{i}")));
    }

    let mut script = format!("{}\n", SH.hook_line());
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for n in 0..CDS {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let dir = &dirs[(seed % dirs.len() as u64) as usize];
        script.push_str(&format!("cd {}\n", SH.quote(dir)));
        if n == 1_000 {
            // Probed at `/`, as at the end, so that nothing is active either time.
            script.push_str(&format!("cd /\n{}\n", probe(&sb, "early")));
        }
    }
    script.push_str(&format!("cd /\n{}\necho END-OF-LOAD\n", probe(&sb, "late")));

    let mut cmd = sb.command("bash");
    cmd.args(SH.interactive_args()).env("AUTOVENV_QUIET", "1");
    let started = Instant::now();
    let run = sb.run_command(cmd, &script);
    let took = started.elapsed();
    run.assert_ok();
    assert!(run.stdout().contains("END-OF-LOAD"), "{}", run.stderr());
    eprintln!(
        "{CDS} cds across {} directories took {took:.1?}",
        dirs.len()
    );

    let early = read_probe(&sb, "early");
    let late = read_probe(&sb, "late");
    assert_eq!(early.len(), 4, "{early:?}");
    assert_eq!(late.len(), 4, "{late:?}");
    assert!(
        late[0] <= early[0],
        "exported variables grew: {early:?} -> {late:?}"
    );
    assert_eq!(
        late[1], early[1],
        "functions changed: {early:?} -> {late:?}"
    );
    assert!(
        late[2] <= early[2] + 1024,
        "memory grew by over 1 MiB: {early:?} -> {late:?} kB"
    );
    assert!(
        late[3] < 16 * 1024,
        "the session memory is unbounded: {late:?}"
    );
    // Untrusted projects are told about once each, however often they are entered.
    assert!(
        run.stderr_count("not trusted") <= 25,
        "{}",
        run.stderr_count("not trusted")
    );
}
