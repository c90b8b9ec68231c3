#!/usr/bin/env bash
# Install the Debian packages the lab needs (real Redis/Sentinel, HAProxy, BIND9, PostgreSQL, etcd, MariaDB,
# Nginx, socat).
# Idempotent: when every binary is present it says so and exits 0. As root it installs what is missing
# (apt-get update first); otherwise it prints exactly what to install and exits 1.
set -euo pipefail

PACKAGES=(redis-server redis-sentinel haproxy bind9 bind9-dnsutils postgresql etcd-server etcd-client mariadb-server mariadb-client nginx socat)
PG_BIN_GLOB=/usr/lib/postgresql/*/bin

missing=()
has() { # has BINARY: on PATH or in the sbin folders (not on every user's PATH)
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]
}
need() { # need PACKAGE BINARY...
  local pkg=$1; shift
  for bin in "$@"; do
    if ! has "$bin"; then missing+=("$pkg"); return; fi
  done
}
need redis-server redis-server redis-cli
need redis-sentinel redis-sentinel
need haproxy haproxy
need bind9 named tsig-keygen named-checkconf
need bind9-dnsutils nsupdate dig
need socat socat
need etcd-server etcd
need etcd-client etcdctl
need mariadb-server mariadbd mariadb-install-db
need mariadb-client mariadb mariadb-admin
need nginx nginx
# shellcheck disable=SC2086
if ! ls $PG_BIN_GLOB/initdb >/dev/null 2>&1 || ! ls $PG_BIN_GLOB/pg_rewind >/dev/null 2>&1; then
  missing+=(postgresql)
fi
missing_list="${missing[*]:-}"

ensure_bind_user() {
  if ! getent group bind >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then groupadd --system bind; else echo "missing group: bind (created by the bind9 package)" >&2; return 1; fi
  fi
  if ! getent passwd bind >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then useradd --system --gid bind --home-dir /var/cache/bind --shell /usr/sbin/nologin bind
    else echo "missing user: bind (created by the bind9 package)" >&2; return 1; fi
  fi
}

if [ -z "$missing_list" ]; then
  ensure_bind_user
  echo "lab dependencies present: ${PACKAGES[*]}"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "missing lab packages: $missing_list" >&2
  echo "install them as root with:" >&2
  echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${PACKAGES[*]}" >&2
  exit 1
fi

echo "installing lab packages (missing: $missing_list)"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y "${PACKAGES[@]}"
ensure_bind_user
echo "lab dependencies installed: ${PACKAGES[*]}"
