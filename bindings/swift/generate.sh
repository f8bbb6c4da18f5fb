#!/usr/bin/env bash
# Builds the uniffi cdylib for the host and generates the Swift sources, the C header and a
# module map into Sources/ (gitignored). Usage: ./generate.sh [debug|release]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PROFILE="${1:-debug}"
case "$PROFILE" in
  debug) CARGO_PROFILE=dev ;;
  release) CARGO_PROFILE=release ;;
  *) echo "usage: $0 [debug|release]" >&2; exit 2 ;;
esac
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$(uname -s)" in
  Darwin) LIB="libmaskinporten_uniffi.dylib" ;;
  *) LIB="libmaskinporten_uniffi.so" ;;
esac

(cd "$ROOT" && cargo build -q --profile "$CARGO_PROFILE" -p maskinporten-uniffi)

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
# Two uniffi components live in the library: the core's plain value types (crate `maskinporten`,
# feature `uniffi`) and the binding (`maskinporten_uniffi`). Both belong to the one Swift module
# `Maskinporten`, so each is generated on its own (uniffi names the file after the module).
for crate in maskinporten maskinporten_uniffi; do
  mkdir -p "$OUT/$crate"
  "$TARGET_DIR/$PROFILE/uniffi-bindgen" generate --library "$TARGET_DIR/$PROFILE/$LIB" --crate "$crate" \
    --language swift --no-format --out-dir "$OUT/$crate" >/dev/null
done

mkdir -p "$HERE/Sources/Maskinporten/Generated" "$HERE/Sources/MaskinportenFFI"
cp "$OUT/maskinporten_uniffi/Maskinporten.swift" "$HERE/Sources/Maskinporten/Generated/Maskinporten.swift"
cp "$OUT/maskinporten/Maskinporten.swift" "$HERE/Sources/Maskinporten/Generated/MaskinportenCore.swift"
cp "$OUT/maskinporten_uniffi/MaskinportenFFI.h" "$OUT/maskinporten/MaskinportenCoreFFI.h" "$HERE/Sources/MaskinportenFFI/"
# One C module with both headers (their shared definitions are guarded), which also links the
# library (SwiftPM system-library target on Linux).
cat > "$HERE/Sources/MaskinportenFFI/module.modulemap" <<'MAP'
module MaskinportenFFI {
    header "MaskinportenFFI.h"
    header "MaskinportenCoreFFI.h"
    link "maskinporten_uniffi"
    export *
}
MAP
echo "generated Swift sources from $TARGET_DIR/$PROFILE/$LIB into $HERE/Sources"
