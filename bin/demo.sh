#!/usr/bin/env bash
# The main job: bring up the lab of real servers, show the plan, drill the six-stage city cut
# (switch, verify, fail back) with the live view, print the timing report, drill its MariaDB + Nginx
# variant, rehearse a real network cut of Hangzhou (RTO and an HTML timeline), end with the assessment of
# which losses the lab survives (a matrix and an HTML heat map), and take the lab down.
set -euo pipefail
cd "$(dirname "$0")/.."
bash bin/install-lab-deps.sh
npm run --silent build

drctl() { node bin/drctl.js "$@"; }
# the state store: a folder (default), or a URL — e.g. the lab's own etcd cluster, which `lab up` below
# starts before anything uses it: DRCTL_STATE=etcd://127.0.0.1:27172,127.0.0.1:27173,127.0.0.1:27174/drctl
export DRCTL_STATE="${DRCTL_STATE:-.drctl}"
case "$DRCTL_STATE" in
  *://*) REPORT_DIR=.drctl-reports ;;  # a store URL: reports go to a folder of their own
  *) REPORT_DIR=$DRCTL_STATE ;;
esac
LAB_DIR=.lab                      # the lab runbooks' default labDir (relative to runbooks/lab)

drctl lab up --dir "$LAB_DIR"
trap 'drctl lab down --dir "$LAB_DIR"' EXIT
drctl lab status --dir "$LAB_DIR"

echo; echo "== plan (read-only; exit 2 = changes pending)"
drctl plan runbooks/lab/city-cut.yaml || [ $? -eq 2 ]

echo; echo "== drill: switch Hangzhou to Shanghai, verify, fail back"
drctl drill runbooks/lab/city-cut.yaml --yes

run_id=$(drctl history --runbook lab-city-cut -n 1 --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).result.runs[0].runId))')
echo; echo "== timing report of $run_id"
drctl report "$run_id" --format md

echo; echo "== the same city cut on MariaDB and Nginx: mysql.primary (fence, GTID catch-up, promote) and nginx.upstream (include file, nginx -t, reload)"
export DRCTL_LAB_MYSQL_PASSWORD="$(cat "$LAB_DIR/mariadb-password")"   # the lab's generated password, a secret from the environment
drctl plan runbooks/lab/city-cut-mysql.yaml || [ $? -eq 2 ]
drctl drill runbooks/lab/city-cut-mysql.yaml --yes

echo; echo "== rehearse: cut Hangzhou for real (freeze its processes), detect, switch, measure the RTO, restore, fail back"
# --ignore-schedule: the demo runs whenever you start it; cron would honour the runbook's schedule (exit 5 = skipped)
drctl rehearse runbooks/lab/city-cut.yaml --yes --ignore-schedule
rehearsal_id=$(drctl history --runbook lab-city-cut -n 1 --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).result.runs[0].runId))')
mkdir -p "$REPORT_DIR"
drctl report "$rehearsal_id" --format html -o "$REPORT_DIR/$rehearsal_id.html"
echo "timeline of the rehearsal: $REPORT_DIR/$rehearsal_id.html"

echo; echo "== assess: which losses the lab survives now (each data center, city and cross-city pair), with which plan; its level and score"
# exit 1 = findings: the lab has no plan for Shenzhen (its config centre, load balancers and DNS live only
# there) nor for two data centers in different cities; the rehearsal above counts for Hangzhou's scopes
drctl assess runbooks/lab || [ $? -eq 1 ]
drctl assess runbooks/lab --format html -o "$REPORT_DIR/assessment.html" || [ $? -eq 1 ]
echo "heat map of the assessment: $REPORT_DIR/assessment.html"
