#!/usr/bin/env bash
# Times the per-prompt cost of autovenv in real interactive shells, side by side with no
# hook, a hook that forks /bin/true, and direnv with an equivalent .envrc; then times
# `autovenv export bash` itself against /bin/true.
#
# Usage: bench/prompt.sh [SHELL...]     (default: every shell below that is installed)
# Environment: N (prompts per run, default 400), RUNS (hyperfine runs, default 7),
#              AUTOVENV (the binary; default: built with cargo build --release, linked
#              statically as installed: see tests/static-build.sh).
# Needs hyperfine and direnv (apt-get install hyperfine direnv).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-400}
RUNS=${RUNS:-7}
if [[ -z ${AUTOVENV-} ]]; then
    source tests/static-build.sh
    cargo build --release --quiet
    AUTOVENV=$(built release)
fi
for tool in hyperfine direnv python3 script; do
    command -v "$tool" >/dev/null || { echo "bench: needs $tool" >&2; exit 1; }
done

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
export HOME=$root/home XDG_CONFIG_HOME=$root/home/.config XDG_DATA_HOME=$root/home/.local/share
mkdir -p "$HOME" "$root/bin" "$root/out"
ln -s "$AUTOVENV" "$root/bin/autovenv"
ln -s "$(command -v direnv)" "$root/bin/direnv"
"$AUTOVENV" hook nu >"$HOME/autovenv.nu"
export PATH=$root/bin:$PATH
# Both tools print a line on entering and leaving; time the work, not the terminal.
export AUTOVENV_QUIET=1 DIRENV_LOG_FORMAT=

# A project six levels above the directory the shells work in, trusted by both tools.
proj=$root/proj
deep=$proj/a/b/c/d/e/f
mkdir -p "$deep"
python3 -m venv --without-pip "$proj/.venv"
: >"$proj/pyproject.toml"
printf 'export VIRTUAL_ENV="$PWD/.venv"\nPATH_add .venv/bin\n' >"$proj/.envrc"
autovenv allow "$proj" 2>/dev/null
direnv allow "$proj" 2>/dev/null

# The line that installs each hook, per shell; empty where that combination is not timed.
hook_line() { # shell variant
    case $1:$2 in
        *:none) echo "$(noop "$1")" ;;
        bash:true) echo 'PROMPT_COMMAND=/bin/true' ;;
        zsh:true) echo 'precmd() { /bin/true }' ;;
        fish:true) echo 'function _t --on-event fish_prompt; /bin/true; end' ;;
        tcsh:true) echo 'alias precmd /bin/true' ;;
        bash:autovenv | zsh:autovenv) echo "eval \"\$(autovenv hook $1)\"" ;;
        fish:autovenv) echo 'autovenv hook fish | source' ;;
        tcsh:autovenv) echo 'eval "`autovenv hook tcsh`"' ;;
        elvish:autovenv) echo 'eval (autovenv hook elvish | slurp)' ;;
        nu:autovenv) echo 'source ~/autovenv.nu' ;;
        xonsh:autovenv) echo 'execx($(autovenv hook xonsh))' ;;
        bash:direnv | zsh:direnv) echo "eval \"\$(direnv hook $1)\"" ;;
        fish:direnv) echo 'direnv hook fish | source' ;;
        tcsh:direnv) echo 'eval `direnv hook tcsh`' ;;
    esac
}

# A command each shell runs without starting a process.
noop() {
    case $1 in
        bash | zsh) echo ':' ;;
        fish) echo 'true' ;;
        tcsh) echo 'set _bench = 1' ;;
        elvish) echo 'nop' ;;
        nu) echo 'null' ;;
        xonsh) echo 'pass' ;;
    esac
}

# bash, zsh and tcsh read the lines from a pipe and still prompt before each; the others
# fire their prompt hooks only on a terminal, so they run under script(1), whose terminal
# adds a constant per line that the "none" row shows.
shell_command() { # shell script-file
    case $1 in
        bash) echo "bash --norc --noprofile -i < $2 > /dev/null 2>&1" ;;
        zsh) echo "zsh -f -i < $2 > /dev/null 2>&1" ;;
        tcsh) echo "tcsh -f -i < $2 > /dev/null 2>&1" ;;
        fish) echo "script -qec 'fish --no-config -i' /dev/null < $2 > /dev/null" ;;
        elvish) echo "script -qec 'elvish -norc' /dev/null < $2 > /dev/null" ;;
        nu) echo "script -qec 'nu --no-config-file' /dev/null < $2 > /dev/null" ;;
        xonsh) echo "script -qec 'xonsh --no-rc -i --shell-type readline' /dev/null < $2 > /dev/null" ;;
    esac
}

# Writes a script: install the hook, cd into the project, then N prompt lines.
write_script() { # file shell variant kind
    {
        hook_line "$2" "$3"
        echo "cd '$deep'"
        local i
        for ((i = 0; i < N; i++)); do
            case $4 in
                base) ;;
                steady) noop "$2" ;;
                cd) if ((i % 2)); then echo "cd '$deep'"; else echo "cd '$root/out'"; fi ;;
            esac
        done
        echo exit
    } >"$1"
}

mean_ms() { # shell-command
    hyperfine -N --style none --warmup 1 --runs "$RUNS" --export-json "$root/h.json" \
        "sh -c \"$1\"" >/dev/null 2>&1
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"]*1000)' "$root/h.json"
}

shells=("$@")
if ((${#shells[@]} == 0)); then
    # nushell's line editor asks the terminal where the cursor is and waits for the
    # answer, which script(1) never gives: time it by hand (`bench/prompt.sh nu` hangs).
    for s in bash zsh fish tcsh elvish xonsh; do
        if command -v "$s" >/dev/null && "$AUTOVENV" hook "$s" >/dev/null 2>&1; then
            shells+=("$s")
        fi
    done
fi

echo "Per-prompt cost in microseconds ($N prompts a run, mean of $RUNS runs; lower is better)"
echo
echo "| shell | hook | steady prompt | cd in/out |"
echo "|---|---|---:|---:|"
for sh in "${shells[@]}"; do
    for variant in none true autovenv direnv; do
        [[ -n $(hook_line "$sh" "$variant") ]] || continue
        for kind in base steady cd; do
            write_script "$root/$kind.txt" "$sh" "$variant" "$kind"
        done
        base=$(mean_ms "$(shell_command "$sh" "$root/base.txt")")
        steady=$(mean_ms "$(shell_command "$sh" "$root/steady.txt")")
        cd=$(mean_ms "$(shell_command "$sh" "$root/cd.txt")")
        python3 -c 'import sys; b,s,c,n=map(float,sys.argv[1:5]); print("| %s | %s | %.0f | %.0f |" % (sys.argv[5], sys.argv[6], (s-b)*1000/n, (c-b)*1000/n))' \
            "$base" "$steady" "$cd" "$N" "$sh" "$variant"
    done
done

echo
echo "\`autovenv export bash\` in a project six levels up, against /bin/true (hyperfine -N):"
echo
(cd "$deep" && hyperfine -N --warmup 100 --runs 2000 --style basic /bin/true "$AUTOVENV export bash" 2>/dev/null |
    grep -E 'Benchmark|Time|faster|±' | sed 's/^/    /')
