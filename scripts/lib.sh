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
