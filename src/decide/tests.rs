//! Exhaustive tests of [`decide`]: every combination of request, state, `VIRTUAL_ENV`,
//! what is on disk, trust, `auto_create` and session memory is checked against the rules,
//! and the everyday cases against their exact plans.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

use super::*;
use crate::state::PathKind;
use crate::trust::{Change, Refusal};
use crate::venv::PyvenvCfg;

const ROOT: &str = "/code/proj";
const VENV: &str = "/code/proj/.venv";
/// A `VIRTUAL_ENV` that names a directory that does not exist.
const GONE: &str = "/gone/.venv";
/// A venv whose path tcsh cannot write (a newline).
const NEWLINE_VENV: &str = "/code/proj/.ve\nnv";
/// A venv whose path nushell cannot write (bytes that are not UTF-8).
const NOT_UTF8_VENV: &[u8] = b"/code/proj/.ve\xffnv";

fn venv(path: &str, problem: Option<Problem>) -> Venv {
    Venv {
        path: PathBuf::from(path),
        cfg: PyvenvCfg::default(),
        problem,
    }
}

fn state(venv: &str, root: &str) -> State {
    State {
        venv: PathBuf::from(venv),
        root: PathBuf::from(root),
        virtual_env: None,
        virtual_env_prompt: None,
        pythonhome: None,
        path: PathKind::Set,
    }
}

fn discovery(venv: Option<Venv>, project: bool) -> Discovery {
    let pwd = PathBuf::from("/code/proj/src");
    let root = PathBuf::from(ROOT);
    Discovery {
        pwd,
        project: project.then(|| root.clone()),
        venv: venv.map(|v| (v, root)),
        vcs_root: None,
        source: Default::default(),
        awaiting: None,
    }
}

fn discoveries() -> Vec<Discovery> {
    vec![
        discovery(None, false),
        discovery(None, true),
        discovery(Some(venv(VENV, None)), true),
        discovery(Some(venv(VENV, None)), false),
        discovery(Some(venv(VENV, Some(Problem::NoConfig))), true),
        discovery(Some(venv(VENV, Some(Problem::ColonInPath))), true),
        discovery(Some(venv(VENV, Some(Problem::Incomplete))), true),
        discovery(Some(venv(NEWLINE_VENV, None)), true),
        discovery(
            Some(Venv {
                path: PathBuf::from(OsStr::from_bytes(NOT_UTF8_VENV)),
                cfg: PyvenvCfg::default(),
                problem: None,
            }),
            true,
        ),
        // Its own prompt name holds a newline, which tcsh cannot write.
        discovery(
            Some(Venv {
                path: PathBuf::from(VENV),
                cfg: PyvenvCfg {
                    prompt: Some(OsString::from("two\nlines")),
                    ..PyvenvCfg::default()
                },
                problem: None,
            }),
            true,
        ),
    ]
}

fn states() -> Vec<StateRead> {
    vec![
        StateRead::Absent,
        StateRead::Corrupt,
        StateRead::Present(state(VENV, ROOT)),
        StateRead::Present(state("/elsewhere/.venv", "/elsewhere")),
    ]
}

fn trusts() -> Vec<Trust> {
    vec![
        Trust::Allowed,
        Trust::InTrustedRoot(PathBuf::from("/code")),
        Trust::Denied,
        Trust::Unknown,
        Trust::Changed(Change::Root),
        Trust::Refused(Refusal::Ownership(crate::ownership::Refusal::Owner {
            path: PathBuf::from(VENV),
            uid: 12345,
        })),
    ]
}

fn sessions() -> Vec<Session> {
    let mut noticed = Session::default();
    for kind in ["u", "b", "c", "g", "r", "x"] {
        let mut key = OsString::from(kind);
        key.push(ROOT);
        noticed.remember_notice(key);
        let mut key = OsString::from(kind);
        key.push(VENV);
        noticed.remember_notice(key);
    }
    for venv in [OsStr::new(NEWLINE_VENV), OsStr::from_bytes(NOT_UTF8_VENV)] {
        let mut key = OsString::from("x");
        key.push(venv);
        noticed.remember_notice(key);
    }
    vec![
        Session::default(),
        Session {
            off: Some(PathBuf::from(ROOT)),
            ..Session::default()
        },
        Session {
            failed: vec![PathBuf::from(ROOT)],
            ..Session::default()
        },
        noticed,
    ]
}

fn virtual_envs() -> Vec<Option<&'static OsStr>> {
    vec![
        None,
        Some(OsStr::new("")),
        Some(OsStr::new(VENV)),
        Some(OsStr::new("/elsewhere/.venv")),
        Some(OsStr::new("/by/hand/.venv")),
        Some(OsStr::new(GONE)),
    ]
}

/// No shell (`autovenv status`), one that writes every value, and the two that cannot.
fn shells() -> Vec<Option<&'static dyn Shell>> {
    ["bash", "tcsh", "nu"]
        .into_iter()
        .map(crate::shell::by_name)
        .chain([None])
        .collect()
}

/// The managed variables with `VIRTUAL_ENV` as given.
fn vars(virtual_env: Option<&OsStr>) -> Vars {
    Vars {
        path: Some(OsString::from("/usr/bin:/bin")),
        virtual_env: virtual_env.map(OsStr::to_owned),
        ..Vars::default()
    }
}

fn requests() -> Vec<Request> {
    vec![
        Request::Prompt,
        Request::Deactivate {
            nondestructive: false,
        },
        Request::Deactivate {
            nondestructive: true,
        },
        Request::ActivatedByHand,
    ]
}

/// Runs `check` on every combination of inputs; returns how many there were.
fn each(mut check: impl FnMut(&Inputs, &Plan)) -> usize {
    let mut count = 0;
    for request in requests() {
        for discovery in discoveries() {
            for trust in trusts() {
                for state in states() {
                    for virtual_env in virtual_envs() {
                        let vars = vars(virtual_env);
                        for session in sessions() {
                            for auto_create in [true, false] {
                                for shell in shells() {
                                    let inputs = Inputs {
                                        request,
                                        discovery: &discovery,
                                        trust: &trust,
                                        auto_create,
                                        vars: &vars,
                                        prompt: "{venv}",
                                        shell,
                                        virtual_env_exists: virtual_env != Some(OsStr::new(GONE)),
                                        state: &state,
                                        session: &session,
                                    };
                                    let plan = decide(&inputs);
                                    check(&inputs, &plan);
                                    count += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    count
}

fn ours(inputs: &Inputs) -> Option<State> {
    match inputs.state {
        StateRead::Present(s)
            if inputs.vars.virtual_env.as_deref() == Some(s.venv.as_os_str())
                && !s.venv.as_os_str().is_empty()
                && inputs.request != Request::ActivatedByHand =>
        {
            Some(s.clone())
        }
        _ => None,
    }
}

/// A prompt, with or without a venv's own `activate` seen run.
fn is_prompt(request: Request) -> bool {
    matches!(request, Request::Prompt | Request::ActivatedByHand)
}

/// An unreadable state with a venv active: that venv is autovenv's, taken off.
fn salvaged(inputs: &Inputs) -> bool {
    inputs.state == &StateRead::Corrupt
        && inputs
            .vars
            .virtual_env
            .as_deref()
            .is_some_and(|v| !v.is_empty())
        && inputs.request != Request::ActivatedByHand
}

fn foreign(inputs: &Inputs) -> bool {
    inputs
        .vars
        .virtual_env
        .as_deref()
        .is_some_and(|v| !v.is_empty())
        && ours(inputs).is_none()
        && !salvaged(inputs)
}

#[test]
fn covers_every_combination() {
    assert_eq!(each(|_, _| {}), 4 * 10 * 6 * 4 * 6 * 4 * 2 * 4);
}

#[test]
fn nothing_is_turned_on_without_trust_or_against_the_user() {
    each(|i, plan| {
        if matches!(plan.enter, Enter::Activate(..) | Enter::Create(_)) {
            assert!(i.trust.is_trusted(), "{i:?} -> {plan:?}");
            assert!(is_prompt(i.request), "{i:?} -> {plan:?}");
            assert!(!foreign(i), "{i:?} -> {plan:?}");
            assert_ne!(i.session.off.as_deref(), Some(Path::new(ROOT)), "{i:?}");
        }
        if let Enter::Activate(venv, _) = &plan.enter {
            assert_eq!(venv.problem, None, "{i:?}");
        }
        if let Enter::Create(_) = &plan.enter {
            let unfinished = i
                .discovery
                .venv
                .as_ref()
                .is_none_or(|(v, _)| v.problem == Some(Problem::Incomplete));
            assert!(i.auto_create && unfinished, "{i:?}");
            assert!(!i.session.creation_failed(Path::new(ROOT)), "{i:?}");
        }
    });
}

#[test]
fn a_venv_activated_by_hand_is_never_touched() {
    each(|i, plan| {
        if foreign(i) {
            assert_eq!(plan.enter, Enter::Nothing, "{i:?}");
            assert!(!matches!(plan.leave, Some(Leave::Restore(_))), "{i:?}");
        }
    });
}

#[test]
fn our_activation_is_kept_or_restored_never_dropped() {
    each(|i, plan| match ours(i) {
        Some(state) => match &plan.enter {
            Enter::Keep(kept) => {
                assert_eq!(kept, &state);
                assert_eq!(plan.leave, None);
                assert!(is_prompt(i.request));
            }
            _ => assert_eq!(plan.leave, Some(Leave::Restore(state)), "{i:?} -> {plan:?}"),
        },
        None => {
            assert!(!matches!(plan.leave, Some(Leave::Restore(_))), "{i:?}");
            assert!(!matches!(plan.enter, Enter::Keep(_)), "{i:?}");
        }
    });
}

#[test]
fn unreadable_or_stale_state_is_always_dropped() {
    each(|i, plan| match i.state {
        StateRead::Corrupt if salvaged(i) => {
            let venv = PathBuf::from(i.vars.virtual_env.as_deref().unwrap_or_default());
            assert_eq!(plan.leave, Some(Leave::Salvage { venv }), "{i:?}")
        }
        StateRead::Corrupt => assert_eq!(plan.leave, Some(Leave::Corrupt)),
        StateRead::Present(s) if ours(i).is_none() => {
            assert_eq!(plan.leave, Some(Leave::Stale(s.clone())), "{i:?}")
        }
        _ => {}
    });
}

#[test]
fn keep_only_the_venv_that_is_found() {
    each(|i, plan| {
        if let Enter::Keep(state) = &plan.enter {
            let found = i.discovery.venv.as_ref().map(|(v, _)| &v.path);
            assert_eq!(found, Some(&state.venv));
        }
    });
}

#[test]
fn a_gone_virtual_env_is_told_once_and_left_alone() {
    each(|i, plan| {
        let gone = foreign(i) && i.vars.virtual_env.as_deref() == Some(OsStr::new(GONE));
        let told = matches!(plan.notice, Some(Notice::GoneVirtualEnv { .. }));
        if told {
            assert!(gone && is_prompt(i.request), "{i:?}");
            assert_eq!(plan.enter, Enter::Nothing);
        }
        if gone && is_prompt(i.request) {
            let key = Notice::GoneVirtualEnv {
                venv: PathBuf::from(GONE),
            }
            .key();
            assert_eq!(told, !i.session.has_noticed(&key), "{i:?}");
        }
    });
}

#[test]
fn a_salvaged_venv_is_taken_off_and_deactivate_keeps_its_project_off() {
    each(|i, plan| {
        if !salvaged(i) {
            return;
        }
        match i.request {
            Request::Deactivate { nondestructive } => {
                assert_eq!(plan.enter, Enter::Nothing);
                if !nondestructive && i.vars.virtual_env.as_deref() == Some(OsStr::new(VENV)) {
                    assert_eq!(plan.session.off.as_deref(), Some(Path::new(ROOT)), "{i:?}");
                }
            }
            _ => assert!(!matches!(plan.enter, Enter::Keep(_)), "{i:?}"),
        }
    });
}

#[test]
fn notices_are_shown_once_per_shell() {
    each(|i, plan| {
        if let Some(notice) = &plan.notice {
            assert!(!i.session.has_noticed(&notice.key()), "{i:?}");
            assert!(plan.session.has_noticed(&notice.key()));
            assert_eq!(plan.enter, Enter::Nothing);
        }
    });
}

#[test]
fn deactivate_turns_the_project_off_unless_nondestructive() {
    each(|i, plan| {
        if let Request::Deactivate { nondestructive } = i.request {
            assert_eq!(plan.enter, Enter::Nothing);
            assert_eq!(plan.notice, None);
            match ours(i) {
                Some(state) if !nondestructive => assert_eq!(plan.session.off, Some(state.root)),
                // Checked in a_salvaged_venv_is_taken_off_and_deactivate_keeps_its_project_off.
                None if salvaged(i) && !nondestructive => {}
                // The venv's own `deactivate` of a venv activated by hand just ran.
                None if !foreign(i) && !nondestructive => {
                    assert_eq!(plan.session.off.as_deref(), i.discovery.root(), "{i:?}")
                }
                _ => assert_eq!(plan.session.off, i.session.off, "{i:?}"),
            }
        }
    });
}

fn prompt_plan(
    discovery: &Discovery,
    trust: Trust,
    state: StateRead,
    virtual_env: Option<&str>,
) -> Plan {
    decide(&Inputs {
        request: Request::Prompt,
        discovery,
        trust: &trust,
        auto_create: true,
        vars: &vars(virtual_env.map(OsStr::new)),
        prompt: "{venv}",
        shell: None,
        virtual_env_exists: true,
        state: &state,
        session: &Session::default(),
    })
}

#[test]
fn everyday_plans() {
    let with_venv = discovery(Some(venv(VENV, None)), true);
    let plan = prompt_plan(&with_venv, Trust::Allowed, StateRead::Absent, None);
    assert_eq!(plan.kind(), "activate");
    assert_eq!(
        plan.enter,
        Enter::Activate(venv(VENV, None), PathBuf::from(ROOT))
    );

    let active = StateRead::Present(state(VENV, ROOT));
    let plan = prompt_plan(&with_venv, Trust::Allowed, active.clone(), Some(VENV));
    assert_eq!(plan.kind(), "keep");

    let other = StateRead::Present(state("/elsewhere/.venv", "/elsewhere"));
    let plan = prompt_plan(&with_venv, Trust::Allowed, other, Some("/elsewhere/.venv"));
    assert_eq!(plan.kind(), "switch");

    let nowhere = discovery(None, false);
    let plan = prompt_plan(&nowhere, Trust::Unknown, active, Some(VENV));
    assert_eq!(plan.kind(), "deactivate");
    assert_eq!(plan.reason, Reason::NoProject);

    let plan = prompt_plan(&with_venv, Trust::Unknown, StateRead::Absent, None);
    assert_eq!(plan.kind(), "notice");
    assert_eq!(
        plan.notice,
        Some(Notice::Untrusted {
            root: PathBuf::from(ROOT),
            has_venv: true,
            auto_create: true,
        })
    );

    let plan = prompt_plan(&with_venv, Trust::Denied, StateRead::Absent, None);
    assert_eq!((plan.kind(), plan.reason), ("nothing", Reason::Denied));

    let plan = prompt_plan(
        &with_venv,
        Trust::Allowed,
        StateRead::Absent,
        Some("/by/hand"),
    );
    assert_eq!((plan.kind(), plan.reason), ("nothing", Reason::Foreign));

    let bare = discovery(None, true);
    let plan = prompt_plan(&bare, Trust::Allowed, StateRead::Absent, Some(""));
    assert_eq!(plan.enter, Enter::Create(PathBuf::from(ROOT)));
}

#[test]
fn a_half_made_venv_is_finished_by_creating_never_activated() {
    each(|i, plan| {
        let half = i
            .discovery
            .venv
            .as_ref()
            .is_some_and(|(v, _)| v.problem == Some(Problem::Incomplete));
        if !half {
            return;
        }
        assert!(!matches!(plan.enter, Enter::Activate(..)), "{i:?}");
        let expected = is_prompt(i.request)
            && !foreign(i)
            && i.session.off.as_deref() != Some(Path::new(ROOT))
            && i.trust.is_trusted()
            && i.auto_create
            && !i.session.creation_failed(Path::new(ROOT));
        assert_eq!(
            plan.enter == Enter::Create(PathBuf::from(ROOT)),
            expected,
            "{i:?} -> {plan:?}"
        );
    });
}

#[test]
fn a_venv_activated_by_hand_over_ours_takes_over_even_with_the_same_path() {
    let found = discovery(Some(venv(VENV, None)), true);
    let ours = state(VENV, ROOT);
    let plan = decide(&Inputs {
        request: Request::ActivatedByHand,
        discovery: &found,
        trust: &Trust::Allowed,
        auto_create: true,
        vars: &vars(Some(OsStr::new(VENV))),
        prompt: "{venv}",
        shell: None,
        virtual_env_exists: true,
        state: &StateRead::Present(ours.clone()),
        session: &Session::default(),
    });
    assert_eq!(plan.leave, Some(Leave::Stale(ours)));
    assert_eq!(plan.enter, Enter::Nothing);
    assert_eq!(plan.reason, Reason::Foreign);
}

#[test]
fn a_changed_or_refused_project_is_told_once_and_nothing_is_turned_on() {
    each(|i, plan| {
        let notice = match i.trust {
            Trust::Changed(change) => Notice::Changed {
                root: PathBuf::from(ROOT),
                change: change.clone(),
            },
            Trust::Refused(refusal) => Notice::Refused {
                root: PathBuf::from(ROOT),
                refusal: refusal.clone(),
            },
            _ => return,
        };
        assert!(!matches!(
            plan.enter,
            Enter::Activate(..) | Enter::Create(_)
        ));
        let told = is_prompt(i.request)
            && !foreign(i)
            && i.discovery.root().is_some()
            && i.session.off.as_deref() != Some(Path::new(ROOT))
            && i.discovery
                .venv
                .as_ref()
                .is_none_or(|(v, _)| v.problem.is_none())
            && !i.session.has_noticed(&notice.key());
        assert_eq!(plan.notice == Some(notice), told, "{i:?} -> {plan:?}");
        if told {
            assert_eq!(plan.reason, Reason::Untrusted);
        }
    });
}

#[test]
fn a_venv_the_shell_cannot_write_is_told_once_and_never_activated() {
    let newline = |value: &OsStr| value.as_bytes().contains(&b'\n');
    each(|i, plan| {
        let anywhere = decide(&Inputs {
            shell: None,
            ..i.clone()
        });
        // Only an activation depends on the shell.
        let Enter::Activate(venv, _) = &anywhere.enter else {
            assert_eq!(plan, &anywhere, "{i:?}");
            return;
        };
        let path = venv.path.as_os_str();
        let prompt_has_newline = venv.cfg.prompt.as_deref().is_some_and(newline);
        let (cannot, variable) = match i.shell.map(Shell::name) {
            Some("tcsh") if newline(path) => (true, None),
            Some("tcsh") if prompt_has_newline => (true, Some("VIRTUAL_ENV_PROMPT".to_owned())),
            Some("nu") if path.to_str().is_none() => (true, None),
            _ => (false, None),
        };
        if !cannot {
            assert_eq!(plan, &anywhere, "{i:?}");
            return;
        }
        let notice = Notice::Unwritable {
            venv: venv.path.clone(),
            variable,
            shell: i.shell.map_or("", |s| s.name()),
        };
        assert_eq!(plan.enter, Enter::Nothing, "{i:?}");
        assert_eq!(plan.leave, anywhere.leave, "{i:?}");
        assert_eq!(plan.reason, Reason::Broken, "{i:?}");
        let told = !i.session.has_noticed(&notice.key());
        assert_eq!(plan.notice == Some(notice), told, "{i:?} -> {plan:?}");
    });
}

#[test]
fn undoing_then_activating_gives_the_activation_and_its_restore() {
    let before = vars(None);
    let found = venv(VENV, None);
    let root = Path::new(ROOT);
    let after = activated(&before, &found, root, "{project}");
    assert_eq!(after.virtual_env.as_deref(), Some(OsStr::new(VENV)));
    assert_eq!(
        after.virtual_env_prompt.as_deref(),
        Some(OsStr::new("proj"))
    );
    let state = State::decode(after.state.as_deref().unwrap_or_default().as_bytes());
    let leave = undo_before_activating(&after, &StateRead::Present(state.expect("state")));
    assert!(matches!(leave, Some(Leave::Restore(_))), "{leave:?}");
    assert_eq!(undone(&after, leave.as_ref()), before);
}
