#!/usr/bin/env bash
# Run a command on a busy machine: one busy-loop process per core (or DRCTL_TEST_LOAD=N of them) in the
# background while it runs, the way a disaster day (or a shared CI runner) looks to drctl's checks.
#   bash bin/with-load.sh npm test         (npm run test:load)
#   bash bin/with-load.sh npm run demo     (npm run demo:load)
# The loops are started and stopped by their pids: when the command ends, fails, or is interrupted
# (Ctrl+C, SIGTERM). The command's exit code is this script's.
set -uo pipefail
n=${DRCTL_TEST_LOAD:-$(nproc)}
if ! [[ "$n" =~ ^[0-9]+$ ]]; then
  echo "with-load: DRCTL_TEST_LOAD must be a number of busy loops, not \"$n\"" >&2
  exit 3
fi
if [ "$#" -eq 0 ]; then
  echo "usage: bash bin/with-load.sh COMMAND [ARGS...]" >&2
  exit 3
fi
pids=()
stop_loops() {
  [ "${#pids[@]}" -gt 0 ] || return 0
  kill "${pids[@]}" 2>/dev/null
  wait "${pids[@]}" 2>/dev/null
  pids=()
}
trap stop_loops EXIT
trap 'stop_loops; exit 130' INT
trap 'stop_loops; exit 143' TERM
for ((i = 0; i < n; i++)); do
  (while :; do :; done) &
  pids+=("$!")
done
echo "with-load: $n busy loop(s) running (pids ${pids[*]}) while: $*" >&2
start=$(date +%s)
"$@"
status=$?
echo "with-load: '$*' exited $status after $(($(date +%s) - start)) s under load" >&2
exit "$status"
