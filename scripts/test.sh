#!/usr/bin/env bash
# The whole test suite: prepares the Python venv the real-client tests use (target/pyenv, rebuilt only when
# tests/clients/requirements.txt changes), then runs every Rust test.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/pyenv
if ! cmp -s tests/clients/requirements.txt "$venv/requirements.txt" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/clients/requirements.txt
  cp tests/clients/requirements.txt "$venv/requirements.txt"
fi
export MOCKCLOUD_TEST_PYTHON="$PWD/$venv/bin/python"
cargo test --locked "$@"
