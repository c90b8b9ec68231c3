#!/bin/sh
# Detection probe of the lab's rehearsal (city-cut.yaml, fault.detect): the estate has acted on the cut
# by itself when Sentinel names a new master for every cache group given.
# Usage: sentinel-elected.sh SENTINEL_PORT GROUP:OLD_MASTER_PORT...  (exit 0 = every group elected)
port=$1; shift
for pair in "$@"; do
  group=${pair%%:*}; old=${pair#*:}
  now=$(redis-cli -p "$port" SENTINEL get-master-addr-by-name "$group" | tail -n 1)
  if [ -z "$now" ] || [ "$now" = "$old" ]; then echo "$group: master still on port ${now:-?}"; exit 1; fi
done
echo "elected: $*"
