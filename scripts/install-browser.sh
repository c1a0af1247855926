#!/usr/bin/env bash
# The browser tests (tests/ui) drive Debian's Chromium; nothing downloads a browser of its own.
# `make test` calls this: it installs chromium and chromium-driver when they are missing and
# this user can (root with apt-get), and otherwise says what to install (tests/ui then skip).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver
else
  echo "note: Debian's chromium is not installed; tests/ui will be skipped" \
       "(as root: apt-get install chromium chromium-driver)" >&2
fi
