#!/usr/bin/env bash
# Set up nianbao on a fresh Debian/Ubuntu machine: a virtualenv in .venv with the package installed.
#   scripts/setup.sh          runtime only (enough for `nianbao demo`, its drafts' PDFs included: LibreOffice
#                             Writer and CJK fonts, from apt where missing)
#   scripts/setup.sh --test   also the test tools and the system packages the tests start for real:
#                             dovecot (IMAP), LibreOffice Calc (round trips), more CJK fonts, poppler
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
extras=""
# The drafts' PDF versions (nianbao/report/pdf.py), in the runtime setup too: the PDF is what leaders read on
# a phone. LibreOffice Writer, and the free faces config/fonts.conf maps the GB/T 9704 fonts to (Noto Serif/
# Sans CJK SC, AR PL UKai for 楷体, Liberation Serif with Times New Roman's metrics). Only what is missing:
# a machine with any LibreOffice on PATH keeps it (the -nogui packages would replace a desktop one).
# (grep without -q: under pipefail, -q quitting at the first match makes fc-list die of SIGPIPE and the
# check fail for a font that is there.)
need=()
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
fc-list : family 2>/dev/null | grep -i "Noto Serif CJK" >/dev/null || need+=(fonts-noto-cjk)
fc-list : family 2>/dev/null | grep -i "AR PL UKai" >/dev/null || need+=(fonts-arphic-ukai)
fc-list : family 2>/dev/null | grep -i "Liberation Serif" >/dev/null || need+=(fonts-liberation2)
if [[ "${1:-}" == "--test" ]]; then
  extras="[test]"
  [[ -x /usr/sbin/dovecot ]] || need+=(dovecot-imapd)
  # Calc for the workbook round trips: with no LibreOffice yet, or beside the Writer installed above
  if ! command -v soffice >/dev/null || dpkg-query -W -f='${Status}' libreoffice-writer-nogui 2>/dev/null | grep -q "ok installed"; then
    [[ -e /usr/lib/libreoffice/program/libsclo.so ]] || need+=(libreoffice-calc-nogui)
  fi
  fc-list : family 2>/dev/null | grep -i "WenQuanYi Zen Hei" >/dev/null || need+=(fonts-wqy-zenhei)
  command -v pdffonts >/dev/null || need+=(poppler-utils)
fi
if (( ${#need[@]} )); then
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo
  if ! { $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"; }; then
    [[ -z "$extras" ]] || exit 1  # the tests need every one of them
    # the runtime works without them (pdf.py notes the missing PDF): no root or no apt must not stop the setup
    echo "提示：未能安装 ${need[*]}（需要 apt-get 和管理员权限）；演示和初稿照常生成，但初稿的 PDF 版本可能缺失或字体不符。" >&2
  fi
fi
[[ -x .venv/bin/python ]] || "$PY" -m venv .venv
.venv/bin/pip install -q --upgrade pip >/dev/null
# Every dependency comes from a lock with hashes (requirements*.lock, made by `scripts/lock.sh`): a fresh
# install gets the versions the suite passed with, never whatever the registry serves that day.
lock=requirements.lock; [[ -n "$extras" ]] && lock=requirements-test.lock
.venv/bin/pip install -q --require-hashes -r "$lock"
.venv/bin/pip install -q --no-deps -e .
# Compiled bytecode halves Prefect's import time on machines that set PYTHONDONTWRITEBYTECODE.
.venv/bin/python -m compileall -q .venv/lib >/dev/null 2>&1 || true
