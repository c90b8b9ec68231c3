#!/usr/bin/env bash
# What `npm test` needs on a fresh machine: the lab's Debian packages (real Redis, Sentinel, HAProxy,
# BIND9, PostgreSQL) and the built CLI (the e2e tests spawn bin/drctl.js).
set -euo pipefail
cd "$(dirname "$0")/.."
bash bin/install-lab-deps.sh
npm run --silent build
