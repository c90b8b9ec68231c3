#!/bin/sh
# Detection probe of zone-evacuation.yaml's rehearsal: the estate has noticed the cut when a sentinel
# flags a replica of any cache group subjectively down (s_down). Ask a sentinel outside the cut.
# Usage: replica-down.sh SENTINEL_PORT GROUP...  (exit 0 = a replica is down)
port=$1; shift
for group in "$@"; do
  if redis-cli -p "$port" SENTINEL replicas "$group" | grep -q 's_down'; then echo "replica down in $group"; exit 0; fi
done
echo "no replica down in $*"
exit 1
