#!/usr/bin/env bash
# What `npm test` needs on a fresh machine: the lab's Debian packages (real Redis, Sentinel, HAProxy,
# BIND9, PostgreSQL), headless Chromium (the HTML report is checked in a real browser), and the built
# CLI (the e2e tests spawn bin/drctl.js).
set -euo pipefail
cd "$(dirname "$0")/.."
bash bin/install-lab-deps.sh
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing chromium (headless browser for the HTML report test)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "missing /usr/bin/chromium: run as root: apt-get install chromium" >&2
    exit 1
  fi
fi
npm run --silent build
