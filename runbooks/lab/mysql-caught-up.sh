#!/bin/sh
# Data catch-up check of the MariaDB variant's rules step (city-cut-mysql.yaml), both ways.
# Caught up = the two MariaDB sides hold the same data: one is writable (the primary) and the other a
# read-only replica of it, both replication threads running, that has applied the primary's last GTID
# (RPO 0), so moving shards either way loses nothing. A side that does not answer cannot prove it: that
# passes only when the run accepts data loss (a rehearsal's real cut); otherwise the caller polls until its
# deadline. "Does not answer" is the client's --connect-timeout=2, which times the connection and the
# server's greeting only, not the mariadb client's own start-up (up to ≈ 1 s on a busy machine): a frozen
# server still fails it, a busy machine does not. A server frozen after it accepted the query is bounded by
# the probe's own timeout (city-cut-mysql.yaml, catchUp.timeout), which kills this script.
# Usage: mysql-caught-up.sh CLIENT_CNF HZ_PORT SH_PORT ACCEPT_DATA_LOSS(true|false). CLIENT_CNF is a
# [client] file with user and password (the lab writes LABDIR/mariadb-client.cnf, mode 600).
# Prints "caught up: ..." or "not caught up: ..."; exit code 0 either way (the caller matches the output).
cnf=$1; hz_port=$2; sh_port=$3; accept=$4
# one line per server: "primary SEQ" or "replica SEQ SOURCE_PORT IO SQL" (the lab replicates in GTID domain 0 only)
ask() {
  mariadb --defaults-file="$cnf" --connect-timeout=2 -h 127.0.0.1 -P "$1" -E -e \
    "SELECT @@global.read_only AS ro, @@global.gtid_binlog_pos AS binlog, @@global.gtid_slave_pos AS applied; SHOW SLAVE STATUS" 2>/dev/null |
  awk -F': ' '{ gsub(/^ +/, "", $1); v[$1] = $2 }
    END {
      if (v["ro"] == "") { print "unreachable"; exit }
      seq = v["binlog"]; sub(/.*-/, "", seq)
      if (v["ro"] == "0") { print "primary " seq; exit }
      a = v["applied"]; sub(/.*-/, "", a)
      print "replica " a " " (v["Master_Port"] == "" ? "-" : v["Master_Port"]) " " v["Slave_IO_Running"] " " v["Slave_SQL_Running"]
    }' || echo unreachable
}
# accepting data loss (a rehearsal's cut): the surviving primary is all that is asked
if [ "$accept" = true ]; then
  sh=$(ask "$sh_port")
  case "$sh" in
    "primary "*) echo "caught up (unproven, data loss accepted): mariadb-sh-a $sh"; exit 0 ;;
  esac
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# both sides at once: a silent side costs its timeout once, not before the other side is asked
ask "$hz_port" > "$tmp/hz" & ask "$sh_port" > "$tmp/sh" & wait
hz=$(cat "$tmp/hz"); sh=$(cat "$tmp/sh")
case "$hz|$sh" in
  "replica "*"|primary "*) p=$sh_port; set -- $sh; written=$2; set -- $hz ;;
  "primary "*"|replica "*) p=$hz_port; set -- $hz; written=$2; set -- $sh ;;
  *) p= ;;
esac
if [ -n "$p" ] && [ "$3" = "$p" ] && [ "$4" = Yes ] && [ "$5" = Yes ] && [ "$2" -ge "$written" ]; then
  echo "caught up: the replica applied GTID seq $2 >= $written written by the primary on port $p"; exit 0
fi
case "$accept|$hz|$sh" in
  true*primary*) echo "caught up (unproven, data loss accepted): mariadb-hz-a $hz; mariadb-sh-a $sh"; exit 0 ;;
esac
echo "not caught up: mariadb-hz-a $hz; mariadb-sh-a $sh"
