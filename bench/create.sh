#!/usr/bin/env bash
# How long creating a venv takes through autovenv versus the same creator run by hand, in
# one run: `uv venv --seed` and `python3 -m venv` (with pip), same interpreter, same
# project directory; and the fallback, where uv cannot make it (offline, pip not in its
# cache) and `creator = "auto"` goes on with `python -m venv`, against the same two steps
# by hand. The machine is shared, so the two are measured in alternating hyperfine rounds
# and compared by their medians over all rounds.
#
#   bench/create.sh   # ROUNDS_UV=12 x RUNS_UV=3, ROUNDS_VENV=5 x RUNS_VENV=1,
#                     # ROUNDS_FALLBACK=5 x RUNS_FALLBACK=1 by default
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench/create.sh: needs hyperfine" >&2; exit 1; }
command -v uv >/dev/null || { echo "bench/create.sh: needs uv on PATH" >&2; exit 1; }
source tests/static-build.sh
cargo build --release --quiet
bin=$(built release)

# uv's package cache stays the machine's, so seeding pip never downloads mid-run.
export UV_CACHE_DIR=${UV_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/uv}
python=$(python3 -c 'import sys; print(sys.executable)')
uv=$(python3 -c 'import uv; print(uv.find_uv_bin())' 2>/dev/null || command -v uv)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_DATA_HOME=$work/home/data XDG_CACHE_HOME=$work/home/cache
mkdir -p "$work/proj" "$work/uv/autovenv" "$work/venv/autovenv" "$work/fallback/autovenv" "$work/json" "$work/empty-cache"
printf '[project]\nname = "bench"\nversion = "0"\n' >"$work/proj/pyproject.toml"
printf 'creator = "uv"\npython = "%s"\nquiet = true\n' "$python" >"$work/uv/autovenv/config.toml"
printf 'creator = "venv"\npython = "%s"\nquiet = true\n' "$python" >"$work/venv/autovenv/config.toml"
printf 'creator = "auto"\npython = "%s"\nquiet = true\n' "$python" >"$work/fallback/autovenv/config.toml"
cd "$work/proj"
export PATH="$(dirname "$uv"):$PATH"

# One hyperfine call per round with both commands, alternating rounds, so that a change
# in the machine's load hits both alike; each round's pair is compared on its own.
bench() { # kind rounds runs name by-hand-command [environment for both]
    local kind=$1 rounds=$2 runs=$3 name=$4 hand=$5 extra=${6:-} round
    for round in $(seq "$rounds"); do
        echo "$name: round $round of $rounds" >&2
        hyperfine -N --style none --export-json "$work/json/$kind-$round.json" \
            --runs "$runs" --prepare 'rm -rf .venv' \
            -n "$name" "env $extra XDG_CONFIG_HOME=$work/$kind $hand" \
            -n "$name" "env $extra XDG_CONFIG_HOME=$work/$kind $bin create"
    done
}
rm -rf .venv
"$uv" venv --seed --allow-existing --python "$python" .venv >/dev/null 2>&1 # warm uv's cache
bench uv "${ROUNDS_UV:-12}" "${RUNS_UV:-3}" 'uv venv --seed' "$uv venv --seed --allow-existing --python $python .venv"
bench venv "${ROUNDS_VENV:-5}" "${RUNS_VENV:-1}" 'python3 -m venv' "$python -m venv .venv"
# uv offline with an empty cache fails to seed pip; then python -m venv, as autovenv does.
bench fallback "${ROUNDS_FALLBACK:-5}" "${RUNS_FALLBACK:-1}" 'uv, then venv' \
    "sh -c '$uv venv --seed --allow-existing --python $python .venv >/dev/null 2>&1 || { rm -rf .venv; exec $python -m venv .venv; }'" \
    "UV_OFFLINE=1 UV_CACHE_DIR=$work/empty-cache"

python3 - "$work/json" <<'PY'
import glob, json, os, statistics as st, sys
print(f"{'creator':<17}{'runs':>6}{'by hand':>12}{'autovenv':>12}{'overhead':>10}{'pooled':>9}")
for kind in ("uv", "venv", "fallback"):
    hand, auto, pairs, name = [], [], [], ""
    for path in sorted(glob.glob(os.path.join(sys.argv[1], f"{kind}-*.json"))):
        a, b = json.load(open(path))["results"]
        hand += a["times"]; auto += b["times"]; name = a["command"]
        pairs.append((st.median(b["times"]) - st.median(a["times"])) / st.median(a["times"]))
    mh, ma = st.median(hand), st.median(auto)
    print(f"{name:<17}{len(hand):>3}+{len(auto):<3}{mh*1000:>9.0f} ms{ma*1000:>9.0f} ms"
          f"{st.median(pairs)*100:>+9.1f}%{(ma-mh)/mh*100:>+8.1f}%")
print("by hand, autovenv: medians of all runs; overhead: median over rounds of each round's"
      " autovenv/by-hand difference; pooled: from the two overall medians")
PY
