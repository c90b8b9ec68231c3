#!/bin/sh
# Data catch-up check of the lab's rules step (city-cut.yaml, and fail-back.yaml for the way back).
# Caught up = the two PostgreSQL sides hold the same data: one is the primary and the other a standby
# streaming from it that has replayed everything the primary had flushed (RPO 0), so moving shards
# either way loses nothing. A side that does not answer cannot prove it: that passes only when the run
# accepts data loss (a rehearsal's real cut); otherwise the caller polls until its deadline.
# "Does not answer" is libpq's connect_timeout (2 s, its minimum), which times the connection and the
# server's start-up reply only, not psql's own start-up (≈20 ms idle, up to ≈1 s on a busy machine):
# a frozen server still fails it, a busy machine does not. A server frozen after it accepted the query
# is bounded by the probe's own timeout (city-cut.yaml, catchUp.timeout), which kills this script.
# Usage: pg-caught-up.sh HZ_PORT SH_PORT ACCEPT_DATA_LOSS(true|false). Prints "caught up: ..." or
# "not caught up: ..."; exit code 0 either way (the caller matches the output). A side may be given as
# HOST:PORT (a netns lab: drctl lab link-runbook); a bare PORT is on 127.0.0.1.
hz_port=$1; sh_port=$2; accept=$3
q="select case when pg_is_in_recovery() then 'standby ' || coalesce(pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint, -1) || ' ' || coalesce((select sender_port::text from pg_stat_wal_receiver where status = 'streaming'), '-') else 'primary ' || pg_wal_lsn_diff(pg_current_wal_flush_lsn(), '0/0')::bigint end"
host_of() { case $1 in *:*) echo "${1%:*}" ;; *) echo 127.0.0.1 ;; esac; }
ask() { psql -XtA "host=$(host_of "$1") port=${1##*:} user=postgres dbname=postgres connect_timeout=2" -c "$q" 2>/dev/null || echo unreachable; }
# accepting data loss (a rehearsal's cut): the surviving primary is all that is asked; whatever the cut
# side would say (a replayed standby, or nothing within its timeout) the answer would be the same
if [ "$accept" = true ]; then
  sh=$(ask "$sh_port")
  case "$sh" in
    "primary "*) echo "caught up (unproven, data loss accepted): pg-sh-a $sh"; exit 0 ;;
  esac
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# both sides at once: a silent side costs its timeout once, not before the other side is asked
ask "$hz_port" > "$tmp/hz" & ask "$sh_port" > "$tmp/sh" & wait
hz=$(cat "$tmp/hz"); sh=$(cat "$tmp/sh")
case "$hz|$sh" in
  "standby "*"|primary "*) p=$sh_port; s=$hz_port; set -- $sh ;;
  "primary "*"|standby "*) p=$hz_port; s=$sh_port; set -- $hz ;;
  *) p= ;;
esac
if [ -n "$p" ]; then
  flushed=$2
  set -- $(ask "$s")   # the standby, read after the primary: its replay must reach that flush
  if [ "$1" = standby ] && [ "$3" = "${p##*:}" ] && [ "$2" -ge "$flushed" ]; then
    echo "caught up: the standby on port $s replayed WAL byte $2 >= $flushed flushed by the primary on port $p"; exit 0
  fi
fi
case "$accept|$hz|$sh" in
  true*primary*) echo "caught up (unproven, data loss accepted): pg-hz-a $hz; pg-sh-a $sh"; exit 0 ;;
esac
echo "not caught up: pg-hz-a $hz; pg-sh-a $sh"
