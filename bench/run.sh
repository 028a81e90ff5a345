#!/usr/bin/env bash
# Runs otsync's benchmarks against a fresh otsd and prints a markdown report.
#
# Usage: bench/run.sh BUILD_DIR [otsd_ingest_bench flags...]
#   e.g. bench/run.sh build/release --rows=200000 --repetitions=5
#   STREAM_READ_FLAGS="--records=200000" bench/run.sh build/release   (stream_read_bench flags)
#   BENCHES="stream-read" bench/run.sh build/release                   (a subset: ingest, stream-read, export)
#   OTSD_FLAGS="--durability=sync" BENCHES=ingest bench/run.sh build/release --sync --batch=1 --threads=8 --rows=20000
#                                        (flags for the ingest's otsd; --sync makes the raw baseline fsync too)
#   EXPORT_FLAGS="--rows=10000000 --repetitions=1" BENCHES=export bench/run.sh build/release
#                                        (export_bench flags: the 10M-row RSS run, ~3 min, not default)
#   EXPORT_FLAGS="--writer=txtfile --mix --records=1000000 --repetitions=3" BENCHES=export bench/run.sh build/release
#   EXPORT_FLAGS="--writer=discard --mix --records=1000000 --repetitions=3" BENCHES=export bench/run.sh build/release
#                                        (issue 4: txtfile / discarding `stream` writer, PUT/UPDATE/DELETE
#                                         mix, beside decode-only of the same records; --writer=odps is the default)
#   BENCHES=scheduler bench/run.sh build/release
#                                        (issue 10, not default: otsync serve's per-instance overhead beside
#                                         the bare otsync run, then after 10 minutes of writes 500 tasks on
#                                         5-minute cycles for 30 minutes;
#                                         SCHEDULER_FLAGS="--tasks=100 --minutes=10" for a shorter run)
#   SOAK_MINUTES=60 BENCHES=soak bench/run.sh build/release
#                                        (the soak, tests/soak/soak.js: writers, window-after-window exports,
#                                         a split and a merge, retention trimming, sampled every minute;
#                                         5 minutes by default; `make soak` runs the hour with its plot)
#   BENCHES=warehouse-commit bench/run.sh build/release
#                                        (not default: one small instance's cost in the warehouse as it grows
#                                         to 3,000 windows; WAREHOUSE_COMMIT_FLAGS for warehouse_commit_bench)
#   BENCHES=parquet-stage bench/run.sh build/release
#                                        (issue 14, not default: DuckDB's ways to take the export's rows into
#                                         Parquet files, by staging setting; PARQUET_STAGE_FLAGS for
#                                         parquet_stage_bench)
# BUILD_DIR must be a release build with OTSYNC_BUILD_BENCH=ON (the release preset).
# For each mode (stream off, stream on) it starts otsd on a temporary data directory, runs
# bench/otsd_ingest_bench (own timing harness; baseline: raw RocksDB in the same run) and stops
# the server; then bench/stream_read_bench on a fresh otsd (GetStreamRecord read rate beside
# decode-only of the same bytes), once with otsd's stream read-ahead on (its default) and once
# with --no-stream-read-ahead; then bench/export_bench on a fresh otsd with a -30m clock offset
# (otsync run, otsstream -> odps, beside the odps writer alone, or -> txtfile / discard with
# --writer; always beside decode-only of the same GetStreamRecord responses; with the odps writer
# and PUT records also beside the limit of a raw RocksDB scan of otsd's data directory and a raw
# DuckDB-to-Parquet append). Nothing is left running; the temporary directories are removed.
set -euo pipefail

build_dir="${1:?usage: bench/run.sh BUILD_DIR [bench flags...]}"
shift
otsd="$build_dir/src/tools/otsd"
bench="$build_dir/bench/otsd_ingest_bench"
stream_bench="$build_dir/bench/stream_read_bench"
benches="${BENCHES:-ingest stream-read export soak}"
read -r -a stream_read_flags <<<"${STREAM_READ_FLAGS:-}"
export_bench="$build_dir/bench/export_bench"
otsync="$build_dir/src/tools/otsync"
read -r -a export_flags <<<"${EXPORT_FLAGS:-}"
read -r -a otsd_flags <<<"${OTSD_FLAGS:-}"
scheduler_bench="$build_dir/bench/scheduler_bench"
read -r -a scheduler_flags <<<"${SCHEDULER_FLAGS:-}"
warehouse_commit_bench="$build_dir/bench/warehouse_commit_bench"
read -r -a warehouse_commit_flags <<<"${WAREHOUSE_COMMIT_FLAGS:-}"
parquet_stage_bench="$build_dir/bench/parquet_stage_bench"
read -r -a parquet_stage_flags <<<"${PARQUET_STAGE_FLAGS:-}"
if [[ " $benches " == *" export "* ]]; then
  for binary in "$export_bench" "$otsync"; do
    if [[ ! -x "$binary" ]]; then
      echo "bench: $binary is missing; build the release preset first (make build-release)" >&2
      exit 1
    fi
  done
fi
needed=("$otsd")
[[ " $benches " == *" ingest "* ]] && needed+=("$bench")
[[ " $benches " == *" stream-read "* ]] && needed+=("$stream_bench")
[[ " $benches " == *" scheduler "* ]] && needed+=("$scheduler_bench" "$otsync")
[[ " $benches " == *" warehouse-commit "* ]] && needed+=("$warehouse_commit_bench")
[[ " $benches " == *" parquet-stage "* ]] && needed+=("$parquet_stage_bench")
[[ " $benches " == *" soak "* ]] && needed+=("$otsync")
for binary in "${needed[@]}"; do
  if [[ ! -x "$binary" ]]; then
    echo "bench: $binary is missing; build the release preset first (make build-release)" >&2
    exit 1
  fi
done

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/otsync-bench.XXXXXX")"
# shellcheck source=../scripts/otsd_process.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/otsd_process.sh"
otsd_log_prefix=bench

cleanup() {
  otsd_stop
  rm -rf "$work_dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cpu_model="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "# otsync benchmarks"
echo
echo "- machine: $(nproc) cores, ${cpu_model:-unknown CPU}, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr)"
echo "- build: $build_dir ($(git -C "$(dirname "$0")/.." rev-parse --short HEAD 2>/dev/null || echo unknown))"
echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- command: ${OTSD_FLAGS:+OTSD_FLAGS=\"$OTSD_FLAGS\" }${BENCHES:+BENCHES=\"$BENCHES\" }${SCHEDULER_FLAGS:+SCHEDULER_FLAGS=\"$SCHEDULER_FLAGS\" }${STREAM_READ_FLAGS:+STREAM_READ_FLAGS=\"$STREAM_READ_FLAGS\" }${EXPORT_FLAGS:+EXPORT_FLAGS=\"$EXPORT_FLAGS\" }bench/run.sh $build_dir${*:+ $*}"

# The official Node SDK on the table the C++ bench just read (bench/node_sdk_bench.js), printed
# as one more row of the table above it. Skipped, saying so, when the SDK is not installed.
ingest_rows=100000
for flag in "$@"; do [[ "$flag" == --rows=* ]] && ingest_rows="${flag#--rows=}"; done
node_stream_records=200000
for flag in "${stream_read_flags[@]}"; do
  [[ "$flag" == --records=* ]] && ((${flag#--records=} < node_stream_records)) &&
    node_stream_records="${flag#--records=}"
done
node_sdk_bench() {
  local script
  script="$(dirname "${BASH_SOURCE[0]}")/node_sdk_bench.js"
  if ! command -v node >/dev/null || [[ ! -d "$(dirname "$script")/../tests/e2e/node_modules/tablestore" ]]; then
    echo "(the official Node SDK: skipped, tests/e2e/node_modules/tablestore is not installed: run scripts/setup.sh)"
    return 0
  fi
  if ! node "$script" "$@" --endpoint="$otsd_endpoint" 2>"$work_dir/node-sdk.err"; then
    echo "(the official Node SDK: failed: $(tail -n1 "$work_dir/node-sdk.err"))"
    status=1
  fi
}

status=0
for mode in off on; do
  [[ " $benches " == *" ingest "* ]] || break
  echo
  echo "## otsd ingest and scan, stream $mode"
  echo
  otsd_start "$otsd" "$work_dir/otsd-stream-$mode" "${otsd_flags[@]}"
  stream_flag=()
  [[ "$mode" == on ]] && stream_flag=(--stream)
  if ! "$bench" --endpoint="$otsd_endpoint" --otsd-pid="$otsd_pid" \
      --rocksdb-dir="$work_dir/raw-stream-$mode" "${stream_flag[@]}" "$@" \
      2>"$work_dir/bench-$mode.err"; then
    echo "(failed: $(tail -n1 "$work_dir/bench-$mode.err"))"
    status=1
  else
    node_sdk_bench scan --table=bench_ingest_0 --rows="$ingest_rows"
  fi
  otsd_stop
done

if [[ " $benches " == *" stream-read "* ]]; then
  # otsd as it runs by default (read-ahead on), then with --no-stream-read-ahead: what
  # preparing the next answer while the reader decodes the current one is worth.
  for read_ahead in on off; do
    read_ahead_flag=()
    [[ "$read_ahead" == off ]] && read_ahead_flag=(--no-stream-read-ahead)
    echo
    echo "## Stream read (GetStreamRecord), otsd stream read-ahead $read_ahead, load average now $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    otsd_start "$otsd" "$work_dir/otsd-stream-read-$read_ahead" "${read_ahead_flag[@]}"
    if ! "$stream_bench" --endpoint="$otsd_endpoint" --otsd-pid="$otsd_pid" \
        "${stream_read_flags[@]}" 2>"$work_dir/stream-read-$read_ahead.err"; then
      echo "(failed: $(tail -n1 "$work_dir/stream-read-$read_ahead.err"))"
      status=1
    else
      node_sdk_bench stream --table=stream_read_bench --records="$node_stream_records"
    fi
    otsd_stop
  done
fi

if [[ " $benches " == *" export "* ]]; then
  echo
  export_writer=odps
  for flag in "${export_flags[@]}"; do
    [[ "$flag" == --writer=* ]] && export_writer="${flag#--writer=}"
  done
  echo "## Export end to end (otsync run, otsstream -> $export_writer), load average now $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  # The clock 30 minutes behind: the records are past the reader's 5-minute end margin at once.
  otsd_start "$otsd" "$work_dir/otsd-export" --clock-offset=-30m
  if ! "$export_bench" --endpoint="$otsd_endpoint" --otsync="$otsync" --work-dir="$work_dir/export" \
      --otsd-data-dir="$work_dir/otsd-export" --otsd-pid="$otsd_pid" --clock-offset-minutes=-30 \
      "${export_flags[@]}" \
      2>"$work_dir/export.err"; then
    echo "(failed: $(tail -n1 "$work_dir/export.err"))"
    status=1
  fi
  otsd_stop
fi
if [[ " $benches " == *" scheduler "* ]]; then
  echo
  echo "## Scheduler (otsync serve), load average now $(cut -d' ' -f1-3 /proc/loadavg)"
  # Records stamped 30 minutes before they are written: the bench's windows are 35 minutes back
  # in otsd's time, which is the 5 minutes that ended 5 minutes before each scheduling time.
  otsd_start "$otsd" "$work_dir/otsd-scheduler" --clock-offset=-30m
  if ! "$scheduler_bench" --endpoint="$otsd_endpoint" --otsync="$otsync" \
      --work-dir="$work_dir/scheduler" "${scheduler_flags[@]}" 2>"$work_dir/scheduler.err"; then
    echo "(failed: $(tail -n1 "$work_dir/scheduler.err"))"
    status=1
  fi
  otsd_stop
fi
if [[ " $benches " == *" warehouse-commit "* ]]; then
  echo
  echo "## Warehouse commit (no otsd), load average now $(cut -d' ' -f1-3 /proc/loadavg)"
  if ! TMPDIR="$work_dir" "$warehouse_commit_bench" "${warehouse_commit_flags[@]}" \
      2>"$work_dir/warehouse-commit.err"; then
    echo "(failed: $(tail -n1 "$work_dir/warehouse-commit.err"))"
    status=1
  fi
fi
if [[ " $benches " == *" parquet-stage "* ]]; then
  echo
  echo "## Parquet staging variants (no otsd), load average now $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  if ! TMPDIR="$work_dir" "$parquet_stage_bench" "${parquet_stage_flags[@]}" \
      2>"$work_dir/parquet-stage.err"; then
    echo "(failed: $(tail -n1 "$work_dir/parquet-stage.err"))"
    status=1
  fi
fi
if [[ " $benches " == *" soak "* ]]; then
  soak_minutes="${SOAK_MINUTES:-5}"
  echo
  echo "## Soak, ${soak_minutes} minutes (tests/soak/soak.js), load average now $(cut -d' ' -f1-3 /proc/loadavg)"
  if OTSD_BIN="$otsd" OTSYNC_BIN="$otsync" node "$(dirname "${BASH_SOURCE[0]}")/../tests/soak/soak.js" \
      --minutes "$soak_minutes" --out "$work_dir/soak" >"$work_dir/soak.log" 2>&1; then
    echo
    echo '```'
    cat "$work_dir/soak/soak.csv"
    echo '```'
  else
    echo "(failed: $(tail -n3 "$work_dir/soak.log"))"
    status=1
  fi
fi
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
