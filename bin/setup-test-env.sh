#!/usr/bin/env bash
# What `npm test` needs on a fresh machine: the lab's Debian packages (real Redis, Sentinel, HAProxy,
# BIND9, PostgreSQL), headless Chromium (the HTML report is checked in a real browser), strace, the real
# consumers of drctl's reports (xmllint, junitparser, python-markdown, zsh for completion), and the built
# CLI (the e2e tests spawn bin/drctl.js).
set -euo pipefail
cd "$(dirname "$0")/.."
bash bin/install-lab-deps.sh
# test tools: headless Chromium (the HTML report in a real browser), strace (a journal's folder fsync)
tools=()
[ -x /usr/bin/chromium ] || tools+=(chromium)
command -v strace >/dev/null 2>&1 || tools+=(strace)
command -v script >/dev/null 2>&1 || tools+=(bsdutils)   # script(1): a pseudo-terminal for the prompt tests
# the consumers of the reports and the completion: Debian's python3 (not a pyenv one) runs junitparser and markdown
command -v xmllint >/dev/null 2>&1 || tools+=(libxml2-utils)                           # JUnit against Jenkins' format
/usr/bin/python3 -c 'import junitparser' >/dev/null 2>&1 || tools+=(python3-junitparser)  # JUnit as CI tools parse it
/usr/bin/python3 -c 'import markdown' >/dev/null 2>&1 || tools+=(python3-markdown)        # the Markdown report rendered
[ -x /usr/bin/zsh ] || tools+=(zsh)                                                      # zsh completion
if [ "${#tools[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing test tools: ${tools[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${tools[@]}" >/dev/null
  else
    echo "missing test tools: run as root: apt-get install ${tools[*]}" >&2
    exit 1
  fi
fi
npm run --silent build
