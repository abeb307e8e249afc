#!/usr/bin/env bash
# Long randomized runs of the property tests (tests/properties.rs) in real shells; not
# part of CI, which runs the same tests with a fixed seed and a few cases.
#
#   tests/soak.sh [CASES] [SHELL...]     (default: 500 cases in each of the seven shells)
#
# The seed is random and printed; SOAK_SEED=N repeats a run. Each shell runs its fixed
# cases, then CASES generated ones. A failing case is printed shrunk, with its seed: add
# it to `fixed` in tests/properties.rs. Prints cases, result and time per shell.
# CARGO_TARGET_DIR is honoured: give the run its own while you keep building elsewhere,
# since the tests run the binary built there.
set -u

cases=${1:-500}
shift || true
shells=("$@")
if ((${#shells[@]} == 0)); then
    shells=(bash zsh fish tcsh elvish nushell xonsh)
fi
seed=${SOAK_SEED:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}
cd "$(dirname "$0")/.." || exit 1

echo "soak: seed ${seed}, ${cases} generated cases per shell: ${shells[*]}"
# Built once: the run tests that build, whatever is edited meanwhile.
tests=$(cargo test --profile fast --test properties --no-run 2>&1 |
    sed -n 's/^ *Executable tests\/properties.rs (\(.*\))$/\1/p')
if [[ ! -x ${tests} ]]; then
    echo "soak: could not build tests/properties.rs" >&2
    exit 1
fi

log_dir=$(mktemp -d "${TMPDIR:-/tmp}/autovenv-soak.XXXXXX")
summary=()
failed=0
for shell in "${shells[@]}"; do
    start=$(date +%s)
    log="${log_dir}/${shell}.log"
    if PROPTEST_RNG_SEED=${seed} PROPTEST_CASES=${cases} \
        "${tests}" --exact "${shell}_enter_edit_leave_restores_exactly" >"${log}" 2>&1; then
        result=ok
    else
        result="FAILED (see ${log})"
        failed=1
    fi
    seconds=$(($(date +%s) - start))
    line=$(printf '%-8s %6s cases  %5ss  %s' "${shell}" "${cases}" "${seconds}" "${result}")
    echo "soak: ${line}"
    summary+=("${line}")
done

echo "soak: seed ${seed}"
printf '  %s\n' "${summary[@]}"
if ((failed)); then
    grep -h -A60 'minimal failing input' "${log_dir}"/*.log
    exit 1
fi
rm -rf "${log_dir}"
