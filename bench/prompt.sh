#!/usr/bin/env bash
# Times what a prompt costs in real interactive shells with autovenv and with each peer it
# can find, side by side in one run: no hook, a hook that forks /bin/true, autovenv,
# direnv, mise, pyautoenv and zsh-autoswitch-virtualenv, each set up for the same project.
# Before a peer's times count, a run checks that it really activated the project's venv on
# the way in and took it off on the way out.
#
# Cases: a steady prompt (deep inside the project), a cd inside the project, a cd across
# the project's boundary (per prompt, µs), and shell start-up with the rc line against one
# without (ms). Beside each figure: its ratio to "none" and to "forks /bin/true".
#
# Usage: bench/prompt.sh [SHELL...]   (default: bash zsh fish tcsh elvish, where installed;
#        xonsh on request; nushell's line editor waits for an answer script(1) never gives)
# Environment:
#   N (prompts per run, default 300), RUNS (hyperfine runs, default 5),
#   START_RUNS (runs for start-up, default 30),
#   AUTOVENV (the binary; default: built with cargo build --release, linked statically
#            as installed: see tests/static-build.sh),
#   MISE (the mise binary; default: `mise` on PATH; `npm install -g @jdxcode/mise`),
#   PYAUTOENV_DIR (a checkout of github.com/hsaunders1904/pyautoenv: not on any registry),
#   AUTOSWITCH_DIR (a checkout of github.com/MichaelAquilina/zsh-autoswitch-virtualenv).
# Needs hyperfine, python3 and script(1); direnv is `apt-get install direnv`. A peer that
# is not there is skipped with a note saying how to get it.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-300}
RUNS=${RUNS:-5}
START_RUNS=${START_RUNS:-30}
source bench/setup.sh
bench_start hyperfine python3 script
export XDG_STATE_HOME=$root/home/.local/state XDG_CACHE_HOME=$root/home/.cache
mkdir -p "$root/bin" "$root/out"
ln -s "$AUTOVENV" "$root/bin/autovenv"
# pyautoenv runs python3 on every cd: the interpreter itself, not a version manager's shim.
ln -s "$(python3 -c 'import sys; print(sys.executable)')" "$root/bin/python3"
export PATH=$root/bin:$PATH
# Every tool prints a line on entering and leaving; time the work, not the terminal.
export AUTOVENV_QUIET=1 DIRENV_LOG_FORMAT='' MISE_QUIET=1 AUTOSWITCH_SILENT=1

# A project six levels above the directory the shells work in, trusted by every tool.
bench_project

notes=()
peers=(none true autovenv)
if command -v direnv >/dev/null; then
    # shellcheck disable=SC2016 # $PWD is direnv's to expand
    printf 'export VIRTUAL_ENV="$PWD/.venv"\nPATH_add .venv/bin\n' >"$proj/.envrc"
    direnv allow "$proj" 2>/dev/null
    peers+=(direnv)
else
    notes+=("direnv: not installed (apt-get install direnv): skipped")
fi
MISE=${MISE:-$(command -v mise || true)}
if [[ -n $MISE && -x $MISE ]]; then
    ln -s "$MISE" "$root/bin/mise"
    printf '[env]\nVIRTUAL_ENV = "{{config_root}}/.venv"\n_.path = ["{{config_root}}/.venv/bin"]\n' >"$proj/mise.toml"
    export MISE_TRUSTED_CONFIG_PATHS=$proj
    peers+=(mise)
else
    notes+=("mise: not found (npm install -g @jdxcode/mise, or MISE=path): skipped")
fi
if [[ -n ${PYAUTOENV_DIR-} && -f ${PYAUTOENV_DIR}/pyautoenv.py ]]; then
    mkdir -p "$root/pyautoenv"
    cp "$PYAUTOENV_DIR"/pyautoenv.{py,bash,plugin.zsh} "$root/pyautoenv/"
    peers+=(pyautoenv)
else
    notes+=("pyautoenv: PYAUTOENV_DIR does not name a checkout of github.com/hsaunders1904/pyautoenv (no package on any registry): skipped")
fi
if [[ -n ${AUTOSWITCH_DIR-} && -f ${AUTOSWITCH_DIR}/autoswitch_virtualenv.plugin.zsh ]]; then
    cp "$AUTOSWITCH_DIR/autoswitch_virtualenv.plugin.zsh" "$root/autoswitch.zsh"
    peers+=(autoswitch)
else
    notes+=("zsh-autoswitch-virtualenv: AUTOSWITCH_DIR does not name a checkout of github.com/MichaelAquilina/zsh-autoswitch-virtualenv: skipped")
fi

# The line that installs each hook, per shell; empty where that combination is not timed.
# shellcheck disable=SC2016 # the lines are the shells' to expand
hook_line() { # shell peer
    case $1:$2 in
        *:none) noop "$1" ;;
        bash:true) echo 'PROMPT_COMMAND=/bin/true' ;;
        zsh:true) echo 'precmd() { /bin/true }' ;;
        fish:true) echo 'function _t --on-event fish_prompt; /bin/true; end' ;;
        tcsh:true) echo 'alias precmd /bin/true' ;;
        elvish:true) echo 'set edit:before-readline = [ { /bin/true } ]' ;;
        bash:autovenv | zsh:autovenv) echo "eval \"\$(autovenv hook $1)\"" ;;
        fish:autovenv) echo 'autovenv hook fish | source' ;;
        tcsh:autovenv) echo 'eval "`autovenv hook tcsh`"' ;;
        elvish:autovenv) echo 'eval (autovenv hook elvish | slurp)' ;;
        xonsh:autovenv) echo 'execx($(autovenv hook xonsh))' ;;
        bash:direnv | zsh:direnv) echo "eval \"\$(direnv hook $1)\"" ;;
        fish:direnv) echo 'direnv hook fish | source' ;;
        tcsh:direnv) echo 'eval `direnv hook tcsh`' ;;
        elvish:direnv) echo 'eval (direnv hook elvish | slurp)' ;;
        bash:mise | zsh:mise) echo "eval \"\$(mise activate $1)\"" ;;
        bash:pyautoenv) echo "source $root/pyautoenv/pyautoenv.bash" ;;
        zsh:pyautoenv) echo "source $root/pyautoenv/pyautoenv.plugin.zsh" ;;
        zsh:autoswitch) echo "source $root/autoswitch.zsh" ;;
    esac
}

# A command each shell runs without starting a process.
noop() {
    case $1 in
        bash | zsh) echo ':' ;;
        fish) echo 'true' ;;
        tcsh) echo 'set _bench = 1' ;;
        elvish) echo 'nop' ;;
        xonsh) echo 'pass' ;;
    esac
}

# bash, zsh and tcsh read the lines from a pipe and still prompt before each; fish,
# elvish and xonsh fire their prompt hooks only on a terminal, so they run under script(1), whose
# terminal adds a constant per line that the "none" row shows.
shell_command() { # shell script-file
    case $1 in
        bash) echo "bash --norc --noprofile -i < $2 > /dev/null 2>&1" ;;
        zsh) echo "zsh -f -i < $2 > /dev/null 2>&1" ;;
        tcsh) echo "tcsh -f -i < $2 > /dev/null 2>&1" ;;
        fish) echo "script -qec 'fish --no-config -i' /dev/null < $2 > /dev/null" ;;
        elvish) echo "script -qec 'elvish -norc' /dev/null < $2 > /dev/null" ;;
        xonsh) echo "script -qec 'xonsh --no-rc -i --shell-type readline' /dev/null < $2 > /dev/null" ;;
    esac
}

# Writes a script: install the hook, cd into the project, then N lines of the case.
write_script() { # file shell peer case
    {
        hook_line "$2" "$3"
        echo "cd '$deep'"
        local i
        for ((i = 0; i < N; i++)); do
            case $4 in
                base) ;;
                steady) noop "$2" ;;
                inside) if ((i % 2)); then echo "cd '$deep'"; else echo "cd '$proj/a'"; fi ;;
                across) if ((i % 2)); then echo "cd '$deep'"; else echo "cd '$root/out'"; fi ;;
            esac
        done
        echo exit
    } >"$1"
}

# Whether the peer activated the project's venv at the cd in and took it off at the cd out.
works() { # shell peer
    local check=$root/check.txt
    rm -f "$check"
    {
        hook_line "$1" "$2"
        echo "cd '$deep'"
        echo "sh -c 'echo \"in:\$VIRTUAL_ENV\"' >> $check"
        echo "cd '$root/out'"
        echo "sh -c 'echo \"out:\$VIRTUAL_ENV\"' >> $check"
        echo exit
    } >"$root/check.in"
    sh -c "$(shell_command "$1" "$root/check.in")" || true
    [[ -f $check && $(<"$check") == "in:$proj/.venv"$'\n'"out:" ]]
}

median_ms() { # runs shell-command
    hyperfine -N --style none --warmup 1 --runs "$1" --export-json "$root/h.json" \
        "sh -c \"$2\"" >/dev/null 2>&1
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"]*1000)' "$root/h.json"
}

shells=("$@")
if ((${#shells[@]} == 0)); then
    for s in bash zsh fish tcsh elvish; do
        command -v "$s" >/dev/null && shells+=("$s")
    done
fi

# The shells start where a user's usually does: in a directory of no project (each case
# then goes into the project itself).
cd "$root/out"

# One row per shell and peer: name, then per case the figure (µs a prompt; ms start-up).
rows=$root/rows.tsv
: >"$rows"
for sh in "${shells[@]}"; do
    for peer in "${peers[@]}"; do
        [[ -n $(hook_line "$sh" "$peer") ]] || continue
        if [[ $peer != none && $peer != true ]] && ! works "$sh" "$peer"; then
            notes+=("$peer in $sh: did not activate and deactivate the venv: not counted")
            continue
        fi
        for kind in base steady inside across; do
            write_script "$root/$kind.txt" "$sh" "$peer" "$kind"
        done
        printf '%s\n' "$(hook_line "$sh" "$peer")" exit >"$root/start.txt"
        base=$(median_ms "$RUNS" "$(shell_command "$sh" "$root/base.txt")")
        steady=$(median_ms "$RUNS" "$(shell_command "$sh" "$root/steady.txt")")
        inside=$(median_ms "$RUNS" "$(shell_command "$sh" "$root/inside.txt")")
        across=$(median_ms "$RUNS" "$(shell_command "$sh" "$root/across.txt")")
        start=$(median_ms "$START_RUNS" "$(shell_command "$sh" "$root/start.txt")")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$sh" "$peer" "$base" "$steady" "$inside" "$across" "$start" >>"$rows"
    done
done

echo "Median of $RUNS runs of $N prompts ($START_RUNS for start-up); $(date -u +%Y-%m-%d), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 - "$rows" "$N" <<'EOF'
import sys

rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
n = float(sys.argv[2])
names = {"none": "none", "true": "forks `/bin/true`", "autovenv": "**autovenv**",
         "direnv": "direnv", "mise": "mise", "pyautoenv": "pyautoenv",
         "autoswitch": "zsh-autoswitch-virtualenv"}
figures = {}
for sh, peer, base, steady, inside, across, start in rows:
    base, steady, inside, across, start = map(float, (base, steady, inside, across, start))
    per = lambda t: max((t - base) * 1000 / n, 0.0)
    figures[sh, peer] = [per(steady), per(inside), per(across), start]

def cell(sh, peer, i):
    value = figures[sh, peer][i]
    if i == 3:
        # Start-up: the rc line's own cost, the shell's with no rc line taken off.
        none = figures.get((sh, "none"), [0, 0, 0, value])[3]
        return "%.1f" % (value - none) if peer != "none" else "– (%.0f in all)" % value
    text = "%.0f" % value
    ratios = []
    for ref, label in (("none", "none"), ("true", "true")):
        other = figures.get((sh, ref))
        if other and peer != ref and other[i] > 0:
            ratio = value / other[i]
            ratios.append(("%.0f× %s" if ratio >= 10 else "%.2g× %s") % (ratio, label))
    return text + (" (" + ", ".join(ratios) + ")" if ratios else "")

print("| shell | hook | steady prompt µs | cd inside the project µs | cd across its boundary µs | rc line at start-up ms |")
print("|---|---|---:|---:|---:|---:|")
for sh, peer, *_ in rows:
    print("| %s | %s | %s |" % (sh, names[peer], " | ".join(cell(sh, peer, i) for i in range(4))))
EOF
if ((${#notes[@]})); then
    echo
    printf -- '- %s\n' "${notes[@]}"
fi

echo
echo "\`autovenv export bash\` in a project six levels up, against /bin/true (hyperfine -N):"
echo
(cd "$deep" && hyperfine -N --warmup 100 --runs 1000 --style basic /bin/true "$AUTOVENV export bash" 2>/dev/null |
    grep -E 'Benchmark|Time|faster|±' | sed 's/^/    /')
