#!/usr/bin/env bash
# Runs every test. On a fresh Debian machine, run as root, it first installs what the
# tests start as real processes: the shells, strace, python3-venv, uv, maturin, pipx,
# poetry, pipenv, xonsh's vox and nushell.
set -euo pipefail
cd "$(dirname "$0")/.."

have() { command -v "$1" >/dev/null 2>&1; }

debs=()
for tool in bash zsh fish tcsh elvish xonsh strace shellcheck file; do
    have "$tool" || debs+=("$tool")
done
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || debs+=(python3-venv)
have python3 || debs+=(python3 python3-venv)
have pip3 || python3 -m pip --version >/dev/null 2>&1 || debs+=(python3-pip)
have npm || debs+=(npm)

if ((${#debs[@]})); then
    if [[ $(id -u) == 0 ]] && have apt-get; then
        echo "tests/run.sh: installing ${debs[*]}" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${debs[@]}" >/dev/null
    else
        echo "tests/run.sh: the tests need ${debs[*]}: install them (or run this as root on Debian)" >&2
        exit 1
    fi
fi

# uv, what tests/install.rs builds and installs the wheel with (maturin and pipx), and the
# tools whose environments tests/sources.rs finds: poetry and pipenv.
pypi=()
for tool in uv maturin pipx poetry pipenv; do
    have "$tool" || pypi+=("$tool")
done
if ((${#pypi[@]})); then
    echo "tests/run.sh: installing ${pypi[*]} from PyPI" >&2
    python3 -m pip install --quiet --disable-pip-version-check "${pypi[@]}" ||
        python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "${pypi[@]}"
    hash -r
fi
# xonsh's venv manager vox, which tests/xonsh.rs drives: bundled with xonsh up to 0.13,
# the xontrib-vox package since, installed into the python that runs xonsh.
if ! xonsh --no-rc -c 'xontrib load vox' >/dev/null 2>&1; then
    xpy=$(xonsh --no-rc -c 'import sys; print(sys.executable)')
    echo "tests/run.sh: installing xontrib-vox from PyPI for $xpy" >&2
    "$xpy" -m pip install --quiet --disable-pip-version-check xontrib-vox ||
        "$xpy" -m pip install --quiet --disable-pip-version-check --break-system-packages xontrib-vox
fi
if ! have nu; then
    echo "tests/run.sh: installing nushell from npm" >&2
    npm install --global --silent nushell >/dev/null
    hash -r
fi

# The binary under test is linked statically, as installed (see tests/static-build.sh).
source tests/static-build.sh
cargo test --profile fast --all-targets
