#!/usr/bin/env bash
# Builds one platform-specific VSIX (like harper and typos-lsp do): copies a built
# privacy-lsp binary to server/<platform>-<arch>/ and runs `vsce package --target`.
#
#   scripts/package.sh <vsce-target> [binary]
#
# <vsce-target>: linux-x64, linux-arm64, alpine-x64, alpine-arm64, darwin-x64, darwin-arm64,
# win32-x64, win32-arm64. [binary] defaults to ../../target/<rust-triple>/release/privacy-lsp,
# or ../../target/release/privacy-lsp when the target is this machine's. Writes
# privacy-lsp-<target>-<version>.vsix here (or to $VSIX_OUT) and prints its path and size.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${1:?usage: scripts/package.sh <vsce-target> [binary]}"
case "$TARGET" in
  linux-x64) TRIPLE=x86_64-unknown-linux-gnu; DIR=linux-x64 ;;
  linux-arm64) TRIPLE=aarch64-unknown-linux-gnu; DIR=linux-arm64 ;;
  alpine-x64) TRIPLE=x86_64-unknown-linux-musl; DIR=linux-x64 ;;
  alpine-arm64) TRIPLE=aarch64-unknown-linux-musl; DIR=linux-arm64 ;;
  darwin-x64) TRIPLE=x86_64-apple-darwin; DIR=darwin-x64 ;;
  darwin-arm64) TRIPLE=aarch64-apple-darwin; DIR=darwin-arm64 ;;
  win32-x64) TRIPLE=x86_64-pc-windows-msvc; DIR=win32-x64 ;;
  win32-arm64) TRIPLE=aarch64-pc-windows-msvc; DIR=win32-arm64 ;;
  *) echo "package.sh: unknown target '$TARGET'" >&2; exit 2 ;;
esac
EXE=privacy-lsp; [[ "$TARGET" == win32-* ]] && EXE=privacy-lsp.exe
BIN="${2:-}"
if [ -z "$BIN" ]; then
  BIN="../../target/$TRIPLE/release/$EXE"
  [ -f "$BIN" ] || BIN="../../target/release/$EXE"
fi
[ -f "$BIN" ] || { echo "package.sh: no binary at $BIN; build it with cargo build --release [--target $TRIPLE]" >&2; exit 2; }
if command -v file >/dev/null; then echo "package.sh: $BIN: $(file -b "$BIN" | cut -c1-80)" >&2; fi
rm -rf server && mkdir -p "server/$DIR"
cp "$BIN" "server/$DIR/$EXE" && chmod 755 "server/$DIR/$EXE"
npm run build >&2
VERSION="$(node -p 'require("./package.json").version')"
OUT="${VSIX_OUT:-.}/privacy-lsp-$TARGET-$VERSION.vsix"
npx vsce package --no-dependencies --skip-license --allow-missing-repository --target "$TARGET" --out "$OUT" >&2
rm -rf server
echo "$OUT $(du -k "$OUT" | cut -f1) KB"
