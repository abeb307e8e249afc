# Sourced by the scripts that build autovenv for use (tests/run.sh, bench/*.sh): on glibc
# Linux, link it statically (`+crt-static`; start-up is most of what a prompt hook costs)
# and name the host's target explicitly, so that the flag reaches the binary and not the
# procedural macros the build runs (clap's derive), which cannot be linked statically.
# Both go into the environment, so that cargo run by the tests builds the same way. The
# binary lands in target/TRIPLE/PROFILE/ then; `built PROFILE` prints its path.
host=$(rustc -vV | sed -n 's/^host: //p')
case $host in
*-linux-gnu*)
    export CARGO_BUILD_TARGET=$host
    static_flags_var=CARGO_TARGET_$(tr 'a-z.-' 'A-Z__' <<<"$host")_RUSTFLAGS
    export "$static_flags_var=-C target-feature=+crt-static"
    ;;
esac

built() {
    echo "${CARGO_TARGET_DIR:-$PWD/target}/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}$1/autovenv"
}
