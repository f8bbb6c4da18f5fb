# Shared helpers for the scripts in this folder (sourced, not run).

# Makes sure cargo is on PATH (rustup's default install location) and installs a stable
# toolchain through rustup when there is none.
ensure_rust() {
    if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
        export PATH="$HOME/.cargo/bin:$PATH"
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        echo "cargo not found: installing Rust with rustup" >&2
        command -v rustup >/dev/null 2>&1 || { echo "error: neither cargo nor rustup is installed; see https://rustup.rs" >&2; return 1; }
        rustup toolchain install stable --profile minimal --component clippy,rustfmt
    fi
}

# Installs Debian packages that are missing (apt-get update only when something is missing).
ensure_apt() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing Debian packages: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# A C compiler and cmake-free build prerequisites for aws-lc-sys.
ensure_c_compiler() {
    command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || command -v clang >/dev/null 2>&1 || ensure_apt build-essential
}
