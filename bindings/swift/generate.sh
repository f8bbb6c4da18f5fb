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
"$TARGET_DIR/$PROFILE/uniffi-bindgen" generate --library "$TARGET_DIR/$PROFILE/$LIB" \
  --language swift --no-format --out-dir "$OUT" >/dev/null

mkdir -p "$HERE/Sources/Maskinporten/Generated" "$HERE/Sources/MaskinportenFFI"
cp "$OUT/Maskinporten.swift" "$HERE/Sources/Maskinporten/Generated/Maskinporten.swift"
cp "$OUT/MaskinportenFFI.h" "$HERE/Sources/MaskinportenFFI/MaskinportenFFI.h"
# A module map that also links the library (SwiftPM system-library target on Linux).
cat > "$HERE/Sources/MaskinportenFFI/module.modulemap" <<'MAP'
module MaskinportenFFI {
    header "MaskinportenFFI.h"
    link "maskinporten_uniffi"
    export *
}
MAP
echo "generated Swift sources from $TARGET_DIR/$PROFILE/$LIB into $HERE/Sources"
