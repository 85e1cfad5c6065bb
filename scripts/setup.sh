#!/usr/bin/env bash
# Set up nianbao on a fresh Debian/Ubuntu machine: a virtualenv in .venv with the package installed.
#   scripts/setup.sh          runtime only (enough for `nianbao demo`)
#   scripts/setup.sh --test   also the test tools and the system packages the tests start for real:
#                             dovecot (IMAP), LibreOffice (round trips, PDF), CJK fonts, poppler
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
extras=""
if [[ "${1:-}" == "--test" ]]; then
  extras="[test]"
  need=()
  [[ -x /usr/sbin/dovecot ]] || need+=(dovecot-imapd)
  command -v soffice >/dev/null || need+=(libreoffice-calc-nogui libreoffice-writer-nogui)
  fc-list 2>/dev/null | grep -qi "Noto Serif CJK" || need+=(fonts-noto-cjk)
  fc-list 2>/dev/null | grep -qi "WenQuanYi Zen Hei" || need+=(fonts-wqy-zenhei)
  command -v pdffonts >/dev/null || need+=(poppler-utils)
  if (( ${#need[@]} )); then
    SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
  fi
fi
[[ -x .venv/bin/python ]] || "$PY" -m venv .venv
.venv/bin/pip install -q --upgrade pip >/dev/null
.venv/bin/pip install -q -e ".${extras}"
# Compiled bytecode halves Prefect's import time on machines that set PYTHONDONTWRITEBYTECODE.
.venv/bin/python -m compileall -q .venv/lib >/dev/null 2>&1 || true
