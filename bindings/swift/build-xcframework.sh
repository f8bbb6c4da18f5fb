#!/usr/bin/env bash
# macOS only: builds MaskinportenFFI.xcframework (static libraries for macOS arm64/x86_64, iOS
# devices and the iOS simulator, with the generated header and module map) for Package.swift's
# binary target, and the Swift sources into Sources/Maskinporten/Generated.
# Needs Xcode and: rustup target add aarch64-apple-darwin x86_64-apple-darwin aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
if [ "$(uname -s)" != "Darwin" ]; then
  echo "build-xcframework.sh needs macOS and Xcode (xcodebuild, lipo); on Linux use ./generate.sh" >&2
  exit 1
fi

TARGETS=(aarch64-apple-darwin x86_64-apple-darwin aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
for target in "${TARGETS[@]}"; do
  # A static library for each slice, without adding staticlib to every Linux build.
  (cd "$ROOT" && cargo rustc --release -p maskinporten-uniffi --lib --target "$target" --crate-type staticlib)
done

# Swift sources and header, from the host build (the interface is the same on every slice).
"$HERE/generate.sh" release
BUILD="$HERE/build"
rm -rf "$BUILD" "$HERE/MaskinportenFFI.xcframework"
mkdir -p "$BUILD/headers" "$BUILD/macos" "$BUILD/ios-sim"
cp "$HERE/Sources/MaskinportenFFI/MaskinportenFFI.h" "$HERE/Sources/MaskinportenFFI/MaskinportenCoreFFI.h" "$BUILD/headers/"
cat > "$BUILD/headers/module.modulemap" <<'MAP'
module MaskinportenFFI {
    header "MaskinportenFFI.h"
    header "MaskinportenCoreFFI.h"
    export *
}
MAP

lib=libmaskinporten_uniffi.a
lipo -create "$TARGET_DIR/aarch64-apple-darwin/release/$lib" "$TARGET_DIR/x86_64-apple-darwin/release/$lib" -output "$BUILD/macos/$lib"
lipo -create "$TARGET_DIR/aarch64-apple-ios-sim/release/$lib" "$TARGET_DIR/x86_64-apple-ios/release/$lib" -output "$BUILD/ios-sim/$lib"

xcodebuild -create-xcframework \
  -library "$BUILD/macos/$lib" -headers "$BUILD/headers" \
  -library "$TARGET_DIR/aarch64-apple-ios/release/$lib" -headers "$BUILD/headers" \
  -library "$BUILD/ios-sim/$lib" -headers "$BUILD/headers" \
  -output "$HERE/MaskinportenFFI.xcframework"
echo "built $HERE/MaskinportenFFI.xcframework"
