#!/usr/bin/env bash
# Times what entering a project costs when its environment is poetry's (found by poetry's
# naming rule, in poetry's cache) against a `.venv` in the project: the one
# `autovenv export bash` process the hook runs on entering, activation included.
#
# Usage: bench/sources.sh
# Environment: RUNS (hyperfine runs per case, default 1000), AUTOVENV (the binary;
#              default: built with cargo build --release, linked statically as
#              installed: see tests/static-build.sh).
# Needs hyperfine and poetry.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-1000}
source bench/setup.sh
bench_start hyperfine poetry python3
unset XDG_CACHE_HOME VIRTUAL_ENV AUTOVENV_STATE POETRY_VIRTUALENVS_PATH POETRY_CACHE_DIR
export AUTOVENV_QUIET=1

# Two trusted projects: one with .venv, one whose environment poetry made in its cache.
venv=$root/venv-proj
mkdir -p "$venv"
: >"$venv/pyproject.toml"
python3 -m venv --without-pip "$venv/.venv"
poetry=$root/poetry-proj
mkdir -p "$poetry"
printf '[tool.poetry]\nname = "bench"\nversion = "0.1.0"\ndescription = ""\nauthors = []\npackage-mode = false\n\n[tool.poetry.dependencies]\npython = ">=3.8"\n' >"$poetry/pyproject.toml"
(cd "$poetry" && POETRY_VIRTUALENVS_OPTIONS_NO_PIP=true poetry install --no-root >/dev/null 2>&1)
"$AUTOVENV" allow "$venv" 2>/dev/null
"$AUTOVENV" allow "$poetry" 2>/dev/null
echo "poetry's environment: $(cd "$poetry" && poetry env info -p)"

echo "entering a project: \`autovenv export bash\` (hyperfine -N, $RUNS runs):"
hyperfine -N --warmup 50 --runs "$RUNS" --style basic \
    -n ".venv project" "env -C $venv PWD=$venv $AUTOVENV export bash" \
    -n "poetry project" "env -C $poetry PWD=$poetry $AUTOVENV export bash" 2>/dev/null |
    grep -E 'Benchmark|Time|Range|±' || true
