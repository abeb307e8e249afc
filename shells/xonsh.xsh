# autovenv: Python virtual environments that follow you around the shell.
# Loaded from ~/.xonshrc with: execx($(autovenv hook xonsh))
# Loading it again is harmless.
#
# Before each prompt, and after each change of directory (on_chdir: `cd`, `pushd`, `popd`,
# so that the rest of the command line runs with the right venv), the handler decides, in Python and without starting any
# process, whether anything that matters may have changed: $PWD (walked up to the anchor
# the binary named last time), $VIRTUAL_ENV, or the entries it watches at the current
# directory and the anchor. Only then does it run `autovenv export xonsh` (one process),
# which prints JSON (values percent-encoded bytes) that the handler applies. After a
# change of directory it passes --no-create: a venv is made only at a prompt. The hook's
# memory lives in this closure, not in the environment, so a child shell evaluates afresh.


def __autovenv_setup(exe):
    import json
    import os
    import subprocess
    import sys
    import urllib.parse

    xsh = __xonsh__
    env = xsh.env

    def unq(text):
        return os.fsdecode(urllib.parse.unquote_to_bytes(text))

    st = {
        "bin": unq(exe),
        "session": "",
        "pwd": "",
        "venv": "",
        "anchor": "",
        "names": [],
        "snapshot": "",
        "prefix": "",
        "shown": "",
        "missing": False,
        "ours": "",
        "vep": None,
        "copies": {},
    }

    def ve():
        return str(env.get("VIRTUAL_ENV", "") or "")

    def trim(d):
        return d[:-1] if d.endswith("/") else d

    def snapshot_of(d):
        return "".join(
            "1" if os.path.lexists(n if n.startswith("/") else d + "/" + n) else "0"
            for n in st["names"]
        )

    def unchanged():
        """Whether the last evaluation still holds, without starting any process."""
        if not st["pwd"] or ve() != st["venv"]:
            return False
        pwd = env["PWD"]
        a = st["anchor"]
        d = trim(pwd)
        if not (d == a or d.startswith(a + "/")):
            return False
        if pwd == st["pwd"]:
            if d != a and "1" in snapshot_of(d):
                return False
        else:
            while d != a:
                if "1" in snapshot_of(d):
                    return False
                d = d[: d.rfind("/")]
        if snapshot_of(a) != st["snapshot"]:
            return False
        st["pwd"] = pwd
        return True

    def done():
        st["pwd"] = env["PWD"]
        st["venv"] = ve()
        st["snapshot"] = snapshot_of(st["anchor"])
        if env.get("AUTOVENV_STATE"):
            st["ours"] = st["venv"]
            st["vep"] = env.get("VIRTUAL_ENV_PROMPT")
        else:
            st["vep"] = None

    def settle():
        """After a failure, stays quiet until the user changes directory."""
        st["anchor"] = trim(env["PWD"])
        st["names"] = []
        done()

    def prompt_remove():
        p = env.get("PROMPT")
        if st["prefix"] and isinstance(p, str) and p.startswith(st["prefix"]):
            env["PROMPT"] = p[len(st["prefix"]) :]
        st["prefix"] = ""
        st["shown"] = ""

    def prompt_show(text):
        prompt_remove()
        st["shown"] = text
        if env.get("VIRTUAL_ENV_DISABLE_PROMPT"):
            return
        p = env.get("PROMPT")
        # A prompt with {env_name} (xonsh's default) shows it there: see env_name below.
        if not isinstance(p, str) or "{env_name" in p:
            return
        prefix = text.replace("{", "{{").replace("}", "}}")
        env["PROMPT"] = prefix + p
        st["prefix"] = prefix

    class Literal(str):
        """A PATH entry xonsh keeps as it is. Its EnvPath expands every entry when it is
        read (with $EXPAND_ENV_VARS, the default): `$NAME` and `${NAME}`, and `~` after an
        `=`. So autovenv's entry for a project in `dol$HOME` would name another directory,
        in xonsh and in every program it starts, and could not be found again to take
        out. This entry reports that it holds neither, so it is left exactly as it is."""

        def __contains__(self, sub):
            return sub != "$" and str.__contains__(self, sub)

        def partition(self, sep):
            return (self, "", "") if sep == "=" else str.partition(self, sep)

    def ours(alias):
        return getattr(alias, "autovenv", False)

    def define_deactivate():
        """Puts autovenv's `deactivate` in place, keeping a user's own to put back."""
        own = xsh.aliases["deactivate"] if "deactivate" in xsh.aliases else None
        if own is not None and not ours(own):
            xsh._autovenv_users_deactivate = own
        xsh.aliases["deactivate"] = deactivate

    def remove_deactivate():
        """Takes autovenv's `deactivate` away and puts back the user's own, if they had
        one; a `deactivate` they defined meanwhile stays."""
        users = getattr(xsh, "_autovenv_users_deactivate", None)
        xsh._autovenv_users_deactivate = None
        if "deactivate" in xsh.aliases and not ours(xsh.aliases["deactivate"]):
            return
        if users is not None:
            xsh.aliases["deactivate"] = users
        elif "deactivate" in xsh.aliases:
            del xsh.aliases["deactivate"]

    def hand_over(u):
        """A venv activated by hand (with `vox activate`, or by setting $VIRTUAL_ENV) over
        autovenv's: vox saved PATH with autovenv's entry in it, for its `vox deactivate`
        to bring back, and PYTHONHOME only if it was set. Those copies get autovenv's
        entry out and PYTHONHOME as it was before autovenv. The prompt name autovenv set
        goes: that venv's is xonsh's own {env_name}."""
        ho = u.get("hand_over")
        if ho is None:
            return
        voxapi = sys.modules.get("xontrib.voxapi")
        saved = getattr(getattr(voxapi, "Vox", None), "oldvars", None)
        if isinstance(saved, dict):
            entry = unq(ho["path_entry"])
            path = saved.get("PATH")
            if isinstance(path, list) and entry in path:
                path.remove(entry)
            if ho["pythonhome"] is not None:
                saved["PYTHONHOME"] = unq(ho["pythonhome"])
        if st["vep"] is not None and env.get("VIRTUAL_ENV_PROMPT") == st["vep"]:
            del env["VIRTUAL_ENV_PROMPT"]

    def apply(u):
        """Carries out one export; the shape is defined in autovenv's src/shell/json.rs."""
        for name, value in u["set"].items():
            env[name] = unq(value)
        for name in u["unset"]:
            if name in env:
                del env[name]
        if u["path"] is not None:
            path = env["PATH"]
            for entry in map(unq, u["path"]["remove"]):
                # Down to as many copies as there were before autovenv added its own: a
                # venv's bash `activate` run with `source-bash` over autovenv's activation
                # put the same entry in front again, and nothing else would take it out.
                keep = st["copies"].pop(entry, None)
                if entry in path:
                    path.remove(entry)
                while keep is not None and path.count(entry) > keep:
                    path.remove(entry)
            for entry in reversed([unq(e) for e in u["path"]["prepend"]]):
                st["copies"][entry] = path.count(entry)
                path.insert(0, Literal(entry))
            env["PATH"] = path
        if u["deactivate"] == "define":
            define_deactivate()
        elif u["deactivate"] == "remove":
            remove_deactivate()
        elif not env.get("AUTOVENV_STATE") and ours(xsh.aliases.get("deactivate")):
            # A venv turned on or off by hand took the place of autovenv's.
            remove_deactivate()
        hand_over(u)
        if u["prompt"] == "remove":
            prompt_remove()
        elif u["prompt"] != "leave":
            prompt_show(unq(u["prompt"]["show"]))
        st["session"] = unq(u["session"])
        st["anchor"] = unq(u["anchor"])
        st["names"] = [unq(n) for n in u["names"]]
        done()
        if u["again"]:
            # A venv to make was left for the prompt.
            st["pwd"] = ""

    def run(*args):
        """Runs `autovenv export xonsh` with the given options and applies what it prints."""
        exe = st["bin"]
        if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
            if not st["missing"]:
                print(
                    f"autovenv: {exe} is missing or not executable: reinstall autovenv, "
                    "or remove the autovenv line from ~/.xonshrc",
                    file=sys.stderr,
                )
                st["missing"] = True
            settle()
            return
        st["missing"] = False
        update = None
        try:
            out = subprocess.run(
                [exe, "export", "xonsh", *args, "--session=" + st["session"]],
                stdout=subprocess.PIPE,
                env=env.detype(),
            )
            if out.returncode == 0:
                update = json.loads(out.stdout)
        except (OSError, ValueError):
            update = None
        if update is None:
            settle()
        else:
            apply(update)

    def deactivate(args):
        """Restores what autovenv's activation replaced; keeps this project off in this
        shell until you leave it. `deactivate nondestructive` does not."""
        mode = "nondestructive" if args[:1] == ["nondestructive"] else "full"
        run("--deactivate=" + mode)
        if mode == "nondestructive":
            st["pwd"] = ""

    deactivate.autovenv = True

    def before_run(spec, **_):
        """Before the binary starts, through the `autovenv` alias below or a wrapper of
        the user's own that runs it: tells the binary this shell's session, and makes
        the next prompt evaluate again, as `autovenv allow`, `deny` and `reload` change
        the answer without a cd."""
        if spec.binary_loc is None:
            return
        spec.env = {**(spec.env or {}), "AUTOVENV_SESSION": st["session"]}
        if spec.cmd[1:2] == ["reload"]:
            st["session"] = "r"
        st["pwd"] = ""

    def evaluate(*args):
        if unchanged():
            return
        if not ve() and st["venv"] and st["venv"] == st["ours"] and env["PWD"] == st["pwd"]:
            # autovenv's venv was turned off here by hand (`vox deactivate`, or
            # `del $VIRTUAL_ENV`): the project stays off until you leave it, as after
            # autovenv's own `deactivate`.
            run("--deactivate=full", *args)
        else:
            run(*args)

    def hook(**_):
        try:
            evaluate()
        except Exception as e:  # a broken hook must never break the prompt
            print(f"autovenv: the xonsh hook failed: {e}", file=sys.stderr)

    def chdir(**_):
        try:
            evaluate("--no-create")
        except Exception as e:  # nor a cd
            print(f"autovenv: the xonsh hook failed: {e}", file=sys.stderr)

    # xonsh's {env_name} shows $VIRTUAL_ENV_PROMPT as it is, which is "(.venv) " for a
    # CPython 3.10 to 3.12 venv (as its own activate sets it) but the bare ".venv" for
    # one of 3.13 or uv: while autovenv's venv is active the field shows "(.venv) " like
    # any other prompt; otherwise it is xonsh's own.
    fields = env.get("PROMPT_FIELDS")
    if fields is not None:
        if not hasattr(xsh, "_autovenv_env_name"):
            xsh._autovenv_env_name = fields.get("env_name")

        def env_name():
            if st["shown"] and not env.get("VIRTUAL_ENV_DISABLE_PROMPT"):
                return st["shown"]
            own = xsh._autovenv_env_name
            if hasattr(own, "update") and hasattr(own, "value"):
                own.update(fields)
                return own.value
            return own() if callable(own) else own

        fields["env_name"] = env_name

    # on_pre_prompt_format fires before the prompt is formatted (on_pre_prompt, after).
    old = getattr(xsh, "_autovenv_hook", None)
    if old is not None:
        events.on_pre_prompt_format.discard(old)
    xsh._autovenv_hook = hook
    events.on_pre_prompt_format(hook)
    old = getattr(xsh, "_autovenv_chdir", None)
    if old is not None:
        events.on_chdir.discard(old)
    xsh._autovenv_chdir = chdir
    events.on_chdir(chdir)

    # `autovenv` is the binary itself, an ordinary command: captured, piped, redirected,
    # interrupted and its exit status as any other. xonsh names the event that fires
    # before it starts after the file the command runs, so it fires too when an alias of
    # the user's own, defined after the hook line, runs the binary.
    old = getattr(xsh, "_autovenv_before_run", None)
    if old is not None:
        getattr(events, old[0]).discard(old[1])
    name = "on_pre_spec_run_" + os.path.basename(st["bin"])
    xsh._autovenv_before_run = (name, before_run)
    getattr(events, name)(before_run)
    xsh.aliases["autovenv"] = [st["bin"]]


__autovenv_setup(@AUTOVENV@)
del __autovenv_setup
