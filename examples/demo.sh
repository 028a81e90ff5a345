#!/usr/bin/env bash
# make demo: the seed's example end to end, on this machine.
#
#   1. otsd (from BUILD_DIR) on a temporary data directory, its clock 30 minutes behind, so that
#      the changes written now are already older than the 5 minutes the otsstream reader waits;
#   2. otsdemo creates the seed's `person` table with the stream on and writes puts, updates and
#      deletes through otsync's client;
#   3. otsync, on a temporary --data-dir whose `otsstream` data source points at that otsd, creates
#      the destination table with the seed's columns and runs examples/seed_job.json, the seed's
#      script unchanged, for a window covering the changes;
#   4. the partition is printed as a table and checked against the change log the writes leave
#      (and the same window run again is recognised and not written twice).
#
# Nothing is left running and the temporary directory is removed, whatever happens
# (OTSYNC_DEMO_KEEP=1 keeps the directory, with the warehouse, for a look afterwards).
#
# Usage: examples/demo.sh BUILD_DIR      (default build/release)
# Exit status: 0 when every step worked and the rows are right, 1 otherwise.
set -euo pipefail

repo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-build/release}"
otsd="$build_dir/src/tools/otsd"
otsdemo="$build_dir/src/tools/otsdemo"
otsync="$build_dir/src/tools/otsync"
job="$repo_dir/examples/seed_job.json"
for binary in "$otsd" "$otsdemo" "$otsync"; do
  if [[ ! -x "$binary" ]]; then
    echo "demo: $binary is missing; build it first (make build-release)" >&2
    exit 1
  fi
done

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/otsync-demo.XXXXXX")"
data_dir="$work_dir/otsync"
# shellcheck source=../scripts/otsd_process.sh
source "$repo_dir/scripts/otsd_process.sh"
otsd_log_prefix=demo

cleanup() {
  otsd_stop
  if [[ "${OTSYNC_DEMO_KEEP:-0}" == 1 ]]; then
    echo "demo: kept $work_dir (otsync --data-dir $data_dir)"
  else
    rm -rf "$work_dir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  echo "demo: $*" >&2
  exit 1
}
step() {
  printf '\n== %s\n' "$*"
}

# --- 1. otsd ---------------------------------------------------------------------------------
step "Start otsd (clock 30 minutes behind, so the changes are past the reader's 5-minute wait)"
otsd_start "$otsd" "$work_dir/otsd" --clock-offset=-30m || fail "otsd did not start"
endpoint="$otsd_endpoint"
echo "otsd serving $endpoint (instance local, data in a temporary directory)"

# --- 2. the source table and its changes ------------------------------------------------------
step "Create person with the stream on; write puts, updates and deletes (otsync's C++ client)"
"$otsdemo" --endpoint="$endpoint" --table=person || fail "writing the rows failed"

# --- 3. otsync: data sources, destination table, the seed's job -------------------------------
step "Point the otsstream data source at this otsd (otsync --data-dir $data_dir)"
# The secret travels in the environment, never on a command line, and is never printed.
OTSYNC_ACCESS_KEY=otsync-local-secret "$otsync" datasource add otsstream --data-dir "$data_dir" \
  --type ots --endpoint "$endpoint" --instance local --access-id otsync-local-id \
  --description "the demo's otsd" --replace
"$otsync" datasource list --data-dir "$data_dir"
"$otsync" datasource test otsstream --data-dir "$data_dir" || fail "otsd is not reachable"

step "Create the destination table (odps_first, the local warehouse) with the seed's columns"
"$otsync" warehouse create-table --data-dir "$data_dir" \
  "person(id STRING, colname STRING, version BIGINT, colvalue STRING, optype STRING, sequenceinfo STRING) PARTITIONED BY (pt STRING)"

# The window, as the seed's yyyyMMddHHmmss in Asia/Shanghai (UTC+8 all year, so no tz database
# is needed): from 45 to 10 minutes ago, around the changes otsd stamped 30 minutes ago.
now="$(date +%s)"
shanghai() { date -u -d "@$(($1 + 8 * 3600))" +%Y%m%d%H%M%S; }
start_time="$(shanghai $((now - 45 * 60)))"
end_time="$(shanghai $((now - 10 * 60)))"
start_millis=$(((now - 45 * 60) * 1000))
end_millis=$(((now - 10 * 60) * 1000))

step "Run the seed's script: otsync run examples/seed_job.json --time-zone Asia/Shanghai -p startTime=$start_time -p endTime=$end_time"
# Its log goes straight to this terminal (a live progress line there, plain lines otherwise).
run_status=0
"$otsync" run "$job" --data-dir "$data_dir" --time-zone Asia/Shanghai -p "startTime=$start_time" -p "endTime=$end_time" ||
  run_status=$?
((run_status == 0)) || fail "the job failed (exit $run_status); otsync says why just above"

# --- 4. the result ------------------------------------------------------------------------------
partition="$("$otsync" warehouse partitions person --data-dir "$data_dir")"
[[ "$partition" == pt=* && "$partition" != *$'\n'* ]] ||
  fail "expected one partition of person, got: $partition"
pt="${partition#pt=}"

step "The partition $partition of person: otsync warehouse query \"SELECT * FROM person WHERE pt = '$pt'\""
"$otsync" warehouse query --data-dir "$data_dir" "SELECT * FROM person WHERE pt = '$pt'"

# The rows are the change log of step 2, row by row in stream order (the order the partition's
# file holds them in: a scan keeps it); every U and DO row carries its cell version, inside the
# window.
actual="$("$otsync" warehouse query --data-dir "$data_dir" --format csv \
  "SELECT id, colname, colvalue, optype FROM (SELECT *, row_number() OVER () AS stream_order
     FROM person WHERE pt = '$pt') ORDER BY id, stream_order" | tr -d '\r')"
expected="$("$otsdemo" --expected)"
if [[ "$actual" != "$expected" ]]; then
  diff <(echo "$expected") <(echo "$actual") >&2 || true
  fail "the partition does not hold the expected change log (diff: expected < > actual)"
fi
bad_versions="$("$otsync" warehouse query --data-dir "$data_dir" --format csv \
  "SELECT count(*) AS n FROM person WHERE pt = '$pt' AND CASE WHEN optype IN ('U', 'DO')
     THEN version IS NULL OR version < $start_millis OR version >= $end_millis
     ELSE version IS NOT NULL END" | tr -d '\r' | tail -n 1)"
[[ "$bad_versions" == 0 ]] || fail "$bad_versions rows have a version outside the window or misplaced"
rows="$(echo "$expected" | tail -n +2 | wc -l)"
echo "Checked: the partition holds the $rows change-log rows of the writes above, versions inside the window."

step "Run the same window again: it is recognised as committed and not written twice"
"$otsync" run "$job" --data-dir "$data_dir" --time-zone Asia/Shanghai -p "startTime=$start_time" -p "endTime=$end_time" ||
  fail "the second run failed"
again="$("$otsync" warehouse query --data-dir "$data_dir" --format csv \
  "SELECT count(*) AS n FROM person" | tr -d '\r' | tail -n 1)"
[[ "$again" == "$rows" ]] || fail "person holds $again rows after the second run, expected $rows"
echo "Checked: person still holds $rows rows."

otsd_stop
echo
echo "demo: done; otsd stopped$([[ "${OTSYNC_DEMO_KEEP:-0}" == 1 ]] || echo ", temporary data removed")"
