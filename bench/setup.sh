# shellcheck shell=bash
# The set-up every benchmark shares; sourced from the repository's root.
#
# bench_start TOOL...: sets AUTOVENV to the binary under test (unless given: built with
# cargo build --release, linked statically as installed: see tests/static-build.sh),
# checks that each TOOL is on PATH, and makes $root, removed on exit, with HOME, the XDG
# config and data directories and the runtime directory inside it.
bench_start() {
    if [[ -z ${AUTOVENV-} ]]; then
        source tests/static-build.sh
        cargo build --release --quiet
        AUTOVENV=$(built release)
    fi
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "bench: needs $tool" >&2; exit 1; }
    done
    root=$(mktemp -d)
    trap 'rm -rf "$root"' EXIT
    export HOME=$root/home XDG_CONFIG_HOME=$root/home/.config XDG_DATA_HOME=$root/home/.local/share
    # The hook keeps each shell's stamp in the runtime directory: here, the bench's own.
    export XDG_RUNTIME_DIR=$root/run
    mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
}

# bench_project: a project six levels above the directory the shells work in ($deep), with
# a venv, trusted by autovenv (which must be on PATH): $proj.
bench_project() {
    proj=$root/proj
    deep=$proj/a/b/c/d/e/f
    mkdir -p "$deep"
    python3 -m venv --without-pip "$proj/.venv"
    : >"$proj/pyproject.toml"
    autovenv allow "$proj" 2>/dev/null
}
