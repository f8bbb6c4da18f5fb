#!/usr/bin/env bash
# Build the maskinporten-wasm crate for wasm32-unknown-unknown and run wasm-bindgen into wasm/pkg/.
#
# Uses a rustup `wasm32-unknown-unknown` target when one is installed (a normal developer
# machine). Otherwise falls back to Debian's rustc-web toolchain with -Zbuild-std (this
# project's CI machine, where rustup cannot download targets), in its own target dir
# because that rustc differs from the native one.
#
#   wasm/build.sh            release build + wasm-bindgen (web glue) into wasm/pkg/: the main module
#                            in wasm/pkg/wasm/, the admin module (feature `admin`) in wasm/pkg/admin/
#   wasm/build.sh --deps     only install the toolchain pieces (apt packages, wasm-bindgen-cli)
#   wasm/build.sh --env      print the environment for cargo on wasm32 (eval it to run cargo yourself)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
target=wasm32-unknown-unknown
binaryen_version=132.0.0
debian_pkgs=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22 clang-22)

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock"
}

have_rustup_target() {
    command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$target"
}

apt_ensure() {
    local missing=()
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    if ((${#missing[@]})); then
        echo "build.sh: installing ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    fi
}

# Sets CARGO and the environment for a wasm32 cargo invocation; fills BUILD_STD.
setup_toolchain() {
    BUILD_STD=()
    # Size over speed for the shipped .wasm (RSA runs in WebCrypto by default). These apply to
    # the wasm32 target dirs only, so the native release builds of the workspace are unaffected.
    export CARGO_PROFILE_RELEASE_OPT_LEVEL="${CARGO_PROFILE_RELEASE_OPT_LEVEL:-z}"
    export CARGO_PROFILE_RELEASE_LTO="${CARGO_PROFILE_RELEASE_LTO:-fat}"
    export CARGO_PROFILE_RELEASE_CODEGEN_UNITS="${CARGO_PROFILE_RELEASE_CODEGEN_UNITS:-1}"
    # No `strip`: wasm-bindgen needs the target_features section; wasm-opt strips afterwards.
    # No `panic`: wasm32-unknown-unknown aborts anyway, and tests must share these deps.
    export CARGO_PROFILE_RELEASE_DEBUG=false
    # The table-free AES (only PKCS#12 decryption uses it, once per key load).
    RELEASE_RUSTFLAGS="--cfg aes_compact"
    if have_rustup_target; then
        CARGO=cargo
        export CARGO_TARGET_DIR="${WASM_TARGET_DIR:-$root/target/wasm32-rustup}"
    else
        apt_ensure "${debian_pkgs[@]}"
        CARGO=/usr/bin/cargo
        export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
        export CC_wasm32_unknown_unknown=clang-22 AR_wasm32_unknown_unknown=llvm-ar-22
        export CARGO_TARGET_DIR="${WASM_TARGET_DIR:-$root/target/wasm32}"
        # optimize_for_size: std's smaller sort and formatting code, about 2 KB gzipped.
        BUILD_STD=(-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size)
        # A panic already ends in a trap (this binding installs no panic hook, so nobody sees the
        # message); immediate-abort drops the message formatting behind it, about 10 KB gzipped.
        # Needs the nightly flag, so only on this route; tests keep normal panics for their messages.
        # location-detail=none: no file/line strings for panics nobody sees, about 0.5 KB gzipped.
        RELEASE_RUSTFLAGS+=" -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
    fi
}

ensure_bindgen() {
    local want have
    want="$(bindgen_version)"
    have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
    if [[ "$have" != "$want" ]]; then
        echo "build.sh: installing wasm-bindgen-cli $want (found '${have:-none}')" >&2
        # --locked may fail when the registry lacks a locked version; fall back to a fresh resolve.
        cargo install -q wasm-bindgen-cli --version "$want" --locked \
            || cargo install -q wasm-bindgen-cli --version "$want"
    fi
}

setup_toolchain
case "${1:-}" in
    --deps) ensure_bindgen; exit 0 ;;
    --env)
        # Tests build without RELEASE_RUSTFLAGS, so in their own target dir (no rebuild ping-pong).
        echo "export CARGO_TARGET_DIR='$CARGO_TARGET_DIR-test'"
        echo "export CARGO_PROFILE_RELEASE_OPT_LEVEL=$CARGO_PROFILE_RELEASE_OPT_LEVEL CARGO_PROFILE_RELEASE_LTO=$CARGO_PROFILE_RELEASE_LTO CARGO_PROFILE_RELEASE_CODEGEN_UNITS=$CARGO_PROFILE_RELEASE_CODEGEN_UNITS CARGO_PROFILE_RELEASE_DEBUG=false"
        if ((${#BUILD_STD[@]})); then
            echo "export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 CC_wasm32_unknown_unknown=clang-22 AR_wasm32_unknown_unknown=llvm-ar-22"
            echo "CARGO=/usr/bin/cargo BUILD_STD='${BUILD_STD[*]}'"
        else
            echo "CARGO=cargo BUILD_STD=''"
        fi
        exit 0 ;;
esac
ensure_bindgen

cd "$root"
out="$here/pkg"

# One module: cargo build with the given features, wasm-bindgen into $out/$1 as $2, wasm-opt.
build_module() {
    local dir="$1" name="$2"
    shift 2
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$RELEASE_RUSTFLAGS" \
        "$CARGO" build --release --target "$target" "${BUILD_STD[@]}" -p maskinporten-wasm "$@"
    rm -rf "${out:?}/$dir"
    wasm-bindgen --target web --out-dir "$out/$dir" --out-name "$name" \
        "$CARGO_TARGET_DIR/$target/release/maskinporten_wasm.wasm"
    rm -f "$out/$dir/.gitignore" "$out/$dir/package.json"
    optimize "$out/$dir/${name}_bg.wasm"
    echo "build.sh: $(wc -c < "$out/$dir/${name}_bg.wasm") bytes in $out/$dir" >&2
}

# wasm-opt from npm's binaryen (Debian's v108 breaks the output). MASKINPORTEN_WASM_OPT=0 skips it.
optimize() {
    local bg="$1"
    [[ "${MASKINPORTEN_WASM_OPT:-1}" != 0 ]] || return 0
    tools="$root/target/wasm-tools"
    if [[ ! -x "$tools/node_modules/.bin/wasm-opt" ]]; then
        mkdir -p "$tools"
        npm install --silent --no-audit --no-fund --prefix "$tools" "binaryen@$binaryen_version" >&2
    fi
    # --flatten --rereloop before -Oz -Oz restructures the control flow Rust emits (about 1.2 KB
    # gzipped); --zero-filled-memory and --low-memory-unused hold for this module (it defines
    # its own fresh memory; only a stack overflowing its 1 MiB reaches address 0) and let -Oz drop
    # zero data and fold address offsets (about 1 KB gzipped).
    "$tools/node_modules/.bin/wasm-opt" --flatten --rereloop -Oz -Oz \
        --zero-filled-memory --low-memory-unused --strip-debug --strip-producers --strip-target-features \
        --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
        --enable-mutable-globals --enable-reference-types --enable-multivalue \
        -o "$bg.opt" "$bg"
    mv "$bg.opt" "$bg"
}

# The main module (`maskinporten`), then the admin module (`maskinporten/admin`: the self-service
# API and the rotation planner) from the same crate without the main module's code, so an
# application that only fetches tokens never loads the admin API.
build_module wasm maskinporten_wasm
build_module admin maskinporten_admin --no-default-features --features admin
