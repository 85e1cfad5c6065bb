#!/usr/bin/env bash
# Re-lock after changing pyproject.toml's ranges (`scripts/lock.sh`), or take every upgrade the ranges
# allow (`scripts/lock.sh --upgrade`, or `--upgrade-package prefect`); then run the whole suite on the new
# lock before committing both files:
#   scripts/lock.sh --upgrade && scripts/setup.sh --test && .venv/bin/pytest
# uv resolves (it is not needed to install: setup.sh installs the lock with pip --require-hashes).
# The runtime lock is constrained by the test lock, so both name the same versions.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-uv}
command -v "$UV" >/dev/null || { python3 -m venv .venv-lock && .venv-lock/bin/pip install -q uv && UV=.venv-lock/bin/uv; }
"$UV" pip compile pyproject.toml --extra test --extra s3 --generate-hashes --python-version 3.11 \
  "$@" -o requirements-test.lock
"$UV" pip compile pyproject.toml --generate-hashes --python-version 3.11 -c requirements-test.lock \
  -o requirements.lock
