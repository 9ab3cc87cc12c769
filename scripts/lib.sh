# Shared helpers for scripts/: idempotent installs (check a tool's version first) and
# readable section headers. Sourced, not executed.

section() { printf '\n==> %s\n' "$*"; }

# rustfmt and clippy come with most toolchains; add them if this one lacks them.
ensure_rust_components() {
    cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
    cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
}

# Python with numpy, for baselines in benches/ (PyPI is reachable here).
ensure_numpy() {
    python3 -c 'import numpy' 2>/dev/null || python3 -m pip install --quiet numpy
}

# JAX (CPU, from PyPI) for the benches' baselines: benches/rfm_jax.py, train_jax.py.
ensure_jax() {
    python3 -c 'import jax' 2>/dev/null || python3 -m pip install --quiet jax
}

# The wasm-bindgen crate version in Cargo.lock: the CLI must match it exactly.
wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock
}

# What the site build needs: the wasm32 target and a wasm-bindgen CLI of exactly the
# version in Cargo.lock (cargo install, cached in ~/.cargo/bin; its prebuilt download
# fails here).
ensure_wasm_bindgen() {
    export PATH="$HOME/.cargo/bin:$PATH"
    rustup target list --installed | grep -qx wasm32-unknown-unknown \
        || rustup target add wasm32-unknown-unknown
    local want
    want=$(wasm_bindgen_version)
    [ -n "$want" ] || { echo "no wasm-bindgen in Cargo.lock" >&2; return 1; }
    if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
        cargo install wasm-bindgen-cli --version "$want" --force
    fi
}

# wasm-pack, only for `wasm-pack test` (it runs the matching wasm-bindgen test runner
# from PATH, so that comes first).
ensure_wasm_pack() {
    ensure_wasm_bindgen
    command -v wasm-pack >/dev/null 2>&1 || cargo install wasm-pack
}

# wasm-opt from the npm package binaryen (runs under node; Debian's binaryen 108 cannot
# parse what wasm-bindgen 0.2.130 emits). Cached under ~/.cache/adfd-tools; sets WASM_OPT.
BINARYEN_VERSION=132.0.0
ensure_wasm_opt() {
    local dir="$HOME/.cache/adfd-tools"
    WASM_OPT="$dir/node_modules/binaryen/bin/wasm-opt"
    local have
    have=$(node -p "require('$dir/node_modules/binaryen/package.json').version" 2>/dev/null || true)
    if [ "$have" != "$BINARYEN_VERSION" ]; then
        mkdir -p "$dir"
        npm install --prefix "$dir" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION"
    fi
}

# apt-get install, as root or through sudo, only for packages that are missing.
apt_ensure() {
    local missing=()
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

# Headless browsers and their WebDriver servers for wasm-pack test and the page test.
ensure_browsers() {
    apt_ensure chromium chromium-driver firefox-esr
    export PATH="$HOME/.cargo/bin:$PATH"
    command -v geckodriver >/dev/null 2>&1 || cargo install geckodriver
}

# tests/page's npm packages at exactly the versions in its package.json: playwright-core
# (no browser download: it drives Debian's chromium) and ws (the WebDriver BiDi socket
# to Firefox through geckodriver, tests/page/browser.mjs). Reinstalls from the lock file
# only when one is missing or at another version.
ensure_playwright() {
    local ok
    ok=$(cd tests/page && node -e '
        const want = require("./package.json").dependencies;
        const have = (n) => { try { return require(`./node_modules/${n}/package.json`).version; } catch { return null; } };
        process.stdout.write(Object.entries(want).every(([n, v]) => have(n) === v) ? "yes" : "no");' 2>/dev/null || true)
    if [ "$ok" != yes ]; then
        (cd tests/page && npm ci --no-audit --no-fund --silent)
    fi
}

# cargo-fuzz for the fuzz/ targets, when a nightly toolchain works (cargo fuzz needs
# one). Installed once into ~/.cargo/bin. Returns non-zero, saying why, without nightly.
ensure_cargo_fuzz() {
    export PATH="$HOME/.cargo/bin:$PATH"
    if ! cargo +nightly --version >/dev/null 2>&1; then
        echo "no nightly toolchain (cargo +nightly fails)"
        return 1
    fi
    command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
}

# The threaded wasm's toolchain (scripts/build-site): nightly Rust with rust-src, since
# wasm threads need std rebuilt with atomics (-Z build-std). $ADFD_NIGHTLY picks a
# dated one (e.g. nightly-2026-05-20); plain `nightly` is whichever is installed.
ensure_nightly() {
    export PATH="$HOME/.cargo/bin:$PATH"
    NIGHTLY="${ADFD_NIGHTLY:-nightly}"
    if ! rustup component list --toolchain "$NIGHTLY" --installed 2>/dev/null | grep -q '^rust-src'; then
        rustup toolchain install "$NIGHTLY" --profile minimal --component rust-src
    fi
}
