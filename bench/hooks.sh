#!/usr/bin/env bash
# Times autovenv's prompt hook inside each shell, with the shell's own clock: the real hook
# (loaded as the rc line loads it) is called N times in a loop, against the same loop
# calling an empty hook of the same shape, so the figure is what the hook itself costs per
# prompt, free of the terminal and of starting the shell.
#
# Cases, deep inside a trusted project with a venv (six levels below its root, as in
# bench/prompt.sh), after one evaluation has activated the venv (checked before counting):
#   steady: the prompt hook, nothing changed since the last prompt;
#   cd:     a cd to another directory of the project and the prompt hook after it (what
#           the shell's cd handling runs, and then the prompt), back and forth.
# Per shell, the prompt hook is what the shell runs before a prompt: bash the elements of
# PROMPT_COMMAND, zsh precmd_functions, fish the fish_prompt event, elvish
# edit:before-readline, nushell the pre_prompt hooks (a record's condition only: its code
# is text, which a script cannot evaluate; in a steady state no condition holds), xonsh the
# on_pre_prompt_format event. tcsh has no functions and no clock finer than 10 ms:
# bench/prompt.sh times it precisely.
#
# Usage: bench/hooks.sh [SHELL...]   (default: bash zsh fish elvish nushell xonsh, where
#        installed)
# Environment: N (calls per loop, default 1000), RUNS (runs of each loop, alternating the
#   hook and the empty one; default 5), AUTOVENV (the binary; default: built with cargo
#   build --release, linked statically as installed).
# Needs python3 and script(1) (elvish's editor, and with it its hooks, needs a terminal).
set -euo pipefail
# A relative AUTOVENV names a file from where the script was started.
if [[ -n ${AUTOVENV-} ]]; then AUTOVENV=$(realpath -- "$AUTOVENV"); fi
cd "$(dirname "$0")/.."

N=${N:-1000}
RUNS=${RUNS:-5}
source bench/setup.sh
bench_start python3 script
export XDG_STATE_HOME=$root/home/.local/state XDG_CACHE_HOME=$root/home/.cache
export LC_ALL=C AUTOVENV_QUIET=1
mkdir -p "$root/bin" "$root/out"
ln -s "$AUTOVENV" "$root/bin/autovenv"
export PATH=$root/bin:$PATH

bench_project
autovenv hook nu >"$root/hook.nu"

# Writes the script that loads the hook (or the empty one), lets one evaluation happen,
# records $VIRTUAL_ENV and times both loops, appending to $out; prints the command that
# runs it.
# shellcheck disable=SC2016 # the scripts are the shells' to expand
script_for() { # shell variant(hook|empty) out
    local sh=$1 variant=$2 out=$3 file=$root/script.$1
    case $sh in
        bash)
            {
                if [[ $variant == hook ]]; then
                    echo 'eval "$(autovenv hook bash)"'
                else
                    echo '_bench_empty() { :; }; PROMPT_COMMAND=(_bench_empty)'
                fi
                echo '_bench_prompt() { local _c; for _c in "${PROMPT_COMMAND[@]}"; do eval "$_c"; done; }'
                echo "cd '$deep'; _bench_prompt"
                echo "echo \"venv \$VIRTUAL_ENV\" >> '$out'"
                echo "_b0=\$EPOCHREALTIME; for ((_i = 0; _i < $N; _i++)); do _bench_prompt; done; echo \"steady span \$_b0 \$EPOCHREALTIME\" >> '$out'"
                echo "_b0=\$EPOCHREALTIME; for ((_i = 0; _i < $N; _i++)); do cd '$proj/a'; _bench_prompt; cd '$deep'; _bench_prompt; done; echo \"cd span \$_b0 \$EPOCHREALTIME\" >> '$out'"
                echo exit
            } >"$file"
            echo "bash --norc --noprofile -i < '$file' > /dev/null 2>&1"
            ;;
        zsh)
            {
                echo 'zmodload zsh/datetime'
                if [[ $variant == hook ]]; then
                    echo 'eval "$(autovenv hook zsh)"'
                else
                    echo '_bench_empty() { : }; precmd_functions=(_bench_empty); chpwd_functions=(_bench_empty)'
                fi
                echo '_bench_prompt() { local _f; for _f in $precmd_functions; do $_f; done }'
                echo "cd '$deep'; _bench_prompt"
                echo "echo \"venv \$VIRTUAL_ENV\" >> '$out'"
                echo "_b0=\$EPOCHREALTIME; for ((_i = 0; _i < $N; _i++)); do _bench_prompt; done; echo \"steady span \$_b0 \$EPOCHREALTIME\" >> '$out'"
                echo "_b0=\$EPOCHREALTIME; for ((_i = 0; _i < $N; _i++)); do cd '$proj/a'; _bench_prompt; cd '$deep'; _bench_prompt; done; echo \"cd span \$_b0 \$EPOCHREALTIME\" >> '$out'"
                echo exit
            } >"$file"
            echo "zsh -f -i < '$file' > /dev/null 2>&1"
            ;;
        fish)
            # fish has no clock a script can read without a process but `time`, which
            # writes "Executed in … micros" to the shell's stderr.
            {
                if [[ $variant == hook ]]; then
                    echo 'autovenv hook fish | source'
                else
                    echo 'function _bench_empty --on-event fish_prompt; end'
                    echo 'function _bench_empty_cd --on-variable PWD; end'
                fi
                echo "cd '$deep'; emit fish_prompt"
                echo "echo \"venv \$VIRTUAL_ENV\" >> '$out'"
                echo "set _r (seq $N)"
                echo "echo 'steady fish' >> '$out'; time for _i in \$_r; emit fish_prompt; end"
                echo "echo 'cd fish' >> '$out'; time for _i in \$_r; cd '$proj/a'; emit fish_prompt; cd '$deep'; emit fish_prompt; end"
            } >"$file"
            echo "fish --no-config -i '$file' < /dev/null > /dev/null 2>> '$out.err'"
            ;;
        elvish)
            {
                if [[ $variant == hook ]]; then
                    echo 'eval (autovenv hook elvish | slurp)'
                else
                    echo 'set edit:before-readline = [ { } ]; set after-chdir = [ {|_| } ]'
                fi
                echo 'fn bench-prompt { for f $edit:before-readline { $f } }'
                echo "cd '$deep'; bench-prompt"
                echo "echo 'venv '\$E:VIRTUAL_ENV >> '$out'"
                echo "time &on-end={|d| echo 'steady sec '\$d >> '$out' } { for _ [(range $N)] { bench-prompt } }"
                echo "time &on-end={|d| echo 'cd sec '\$d >> '$out' } { for _ [(range $N)] { cd '$proj/a'; bench-prompt; cd '$deep'; bench-prompt } }"
                echo exit
            } >"$file"
            echo "script -qec 'elvish -norc' /dev/null < '$file' > /dev/null"
            ;;
        nushell)
            {
                if [[ $variant == hook ]]; then
                    echo "source '$root/hook.nu'"
                else
                    echo '$env.config.hooks.pre_prompt = [[ {|| } ]]'
                fi
                cat <<'EOF'
def --env bench-prompt [] {
  for g in $env.config.hooks.pre_prompt {
    for h in (if ($g | describe | str starts-with "list") { $g } else { [$g] }) {
      if ($h | describe) == "closure" { do --env $h } else { do $h.condition }
    }
  }
}
EOF
                echo "cd '$deep'; bench-prompt"
                printf '%s\n' "\$\"venv (\$env.VIRTUAL_ENV? | default '')\\n\" | save -a '$out'"
                printf '%s\n' "let t = (timeit { for _ in 1..$N { bench-prompt } }); \$\"steady ns (\$t | into int)\\n\" | save -a '$out'"
                printf '%s\n' "let t = (timeit { for _ in 1..$N { cd '$proj/a'; bench-prompt; cd '$deep'; bench-prompt } }); \$\"cd ns (\$t | into int)\\n\" | save -a '$out'"
            } >"$file"
            echo "nu --no-config-file '$file' > /dev/null 2>&1"
            ;;
        xonsh)
            {
                if [[ $variant == hook ]]; then
                    echo 'execx($(autovenv hook xonsh))'
                else
                    echo '@events.on_pre_prompt_format'
                    echo 'def _bench_empty(**_): pass'
                    echo '@events.on_chdir'
                    echo 'def _bench_empty_cd(**_): pass'
                fi
                echo 'import time'
                echo "cd '$deep'"
                echo 'events.on_pre_prompt_format.fire()'
                echo "print('venv ' + \$VIRTUAL_ENV if 'VIRTUAL_ENV' in \${...} else 'venv ', file=open('$out', 'a'))"
                echo '_b0 = time.perf_counter()'
                echo "for _ in range($N):"
                echo '    events.on_pre_prompt_format.fire()'
                echo "print('steady sec', time.perf_counter() - _b0, file=open('$out', 'a'))"
                echo '_b0 = time.perf_counter()'
                echo "for _ in range($N):"
                echo "    cd '$proj/a'"
                echo '    events.on_pre_prompt_format.fire()'
                echo "    cd '$deep'"
                echo '    events.on_pre_prompt_format.fire()'
                echo "print('cd sec', time.perf_counter() - _b0, file=open('$out', 'a'))"
            } >"$file"
            echo "xonsh --no-rc '$file' > /dev/null 2>&1"
            ;;
    esac
}

shells=("$@")
if ((${#shells[@]} == 0)); then
    for s in bash zsh fish elvish nushell xonsh; do
        command -v "${s/nushell/nu}" >/dev/null && shells+=("$s")
    done
fi

rows=$root/rows.tsv
: >"$rows"
for sh in "${shells[@]}"; do
    for ((run = 0; run < RUNS; run++)); do
        for variant in empty hook; do
            out=$root/out/$sh.$variant.$run
            sh -c "$(script_for "$sh" "$variant" "$out")" || true
            printf '%s\t%s\t%s\n' "$sh" "$variant" "$out" >>"$rows"
        done
    done
done

echo "Median of $RUNS runs of $N calls; $(date -u +%Y-%m-%d), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 - "$rows" "$N" "$proj/.venv" <<'EOF'
import re
import statistics
import sys

n = int(sys.argv[2])
venv = sys.argv[3]
units = {"micros": 1e-6, "millis": 1e-3, "secs": 1.0, "mins": 60.0}


def read(path):
    """Seconds per loop for each case in one run's output, and $VIRTUAL_ENV as seen."""
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return None, {}
    seen, times, fish = None, {}, []
    for line in lines:
        word, _, rest = line.partition(" ")
        if word == "venv":
            seen = rest
        elif rest.startswith("span "):
            start, end = map(float, rest.split()[1:3])
            times[word] = end - start
        elif rest.startswith("sec "):
            times[word] = float(rest.split()[1])
        elif rest.startswith("ns "):
            times[word] = int(rest.split()[1]) / 1e9
        elif rest == "fish":
            fish.append(word)
    if fish:
        try:
            err = open(path + ".err").read()
        except OSError:
            err = ""
        found = re.findall(r"Executed in\s+([0-9.]+) (\w+)", err)
        for word, (value, unit) in zip(fish, found):
            times[word] = float(value) * units[unit]
    return seen, times


results = {}
notes = []
for line in open(sys.argv[1]):
    sh, variant, path = line.rstrip("\n").split("\t")
    seen, times = read(path)
    if variant == "hook" and seen != venv:
        notes.append("%s: a run did not activate the venv (VIRTUAL_ENV=%r): not counted" % (sh, seen))
        continue
    if not {"steady", "cd"} <= times.keys():
        notes.append("%s (%s): a run printed no times: not counted" % (sh, variant))
        continue
    for case in ("steady", "cd"):
        # The cd loop runs two cd and prompt pairs a turn.
        per = times[case] * 1e6 / (n if case == "steady" else 2 * n)
        results.setdefault((sh, variant, case), []).append(per)

print("| shell | empty hook: steady µs | autovenv: steady µs | over empty | empty hook: cd + prompt µs | autovenv: cd + prompt µs | over empty |")
print("|---|---:|---:|---:|---:|---:|---:|")
order = []
for sh, _, _ in results:
    if sh not in order:
        order.append(sh)
for sh in order:
    cells = []
    for case in ("steady", "cd"):
        empty = results.get((sh, "empty", case))
        hook = results.get((sh, "hook", case))
        if not empty or not hook:
            cells += ["–", "–", "–"]
            continue
        e, h = statistics.median(empty), statistics.median(hook)
        cells += ["%.1f" % e, "%.1f" % h, "%+.1f" % (h - e)]
    print("| %s | %s |" % (sh, " | ".join(cells)))
for note in dict.fromkeys(notes):
    print("\n- " + note)
EOF
echo
echo "- tcsh: no functions and no clock finer than 10 ms inside the shell; see bench/prompt.sh."
