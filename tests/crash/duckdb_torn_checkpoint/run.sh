#!/usr/bin/env bash
# Re-runs the torn-checkpoint demonstration against the pinned DuckDB in third_party/.
# No network; stops by itself (about a minute, plus KILL_LOOP_SECONDS if set).
#   bash tests/crash/duckdb_torn_checkpoint/run.sh                       # deterministic demo
#   KILL_LOOP_SECONDS=600 bash tests/crash/duckdb_torn_checkpoint/run.sh # plus the random kill loop
#   KEEP=1 ...                                                           # keep the work folder
#   BUILD_SLOT=<wrapper> ...                                             # run g++ through a wrapper
#   DUCKDB_LIB_DIR=<dir with a newer libduckdb.so> ...                   # same test, other release
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
duck="$repo/third_party/duckdb"
[[ -f "$duck/include/duckdb.h" && -f "$duck/lib/libduckdb.so" ]] ||
  { echo "missing third_party/duckdb: run bash scripts/setup.sh first" >&2; exit 2; }
command -v strace >/dev/null ||
  { echo "strace is needed (apt-get install -y strace)" >&2; exit 2; }

work="$(mktemp -d)"
if [[ "${KEEP:-0}" == 1 ]]; then echo "work folder kept: $work"; else trap 'rm -rf "$work"' EXIT; fi
# Only long-stable C API calls are used, so the pinned header also builds against a newer library.
lib="${DUCKDB_LIB_DIR:-$duck/lib}"
build=(g++ -std=c++17 -O1 -Wall -Wextra -I"$duck/include" "$here/torn_checkpoint.cc"
       -o "$work/torn_checkpoint" -L"$lib" -lduckdb -Wl,-rpath,"$lib")
# BUILD_SLOT names a wrapper that rations compiles on a shared machine; empty compiles directly.
${BUILD_SLOT:-} "${build[@]}"
bin="$work/torn_checkpoint"
if [[ -n "${DUCKDB_LIB_DIR:-}" ]]; then echo "DuckDB: libduckdb.so from DUCKDB_LIB_DIR"
else echo "DuckDB: $(cat "$duck/VERSION")"; fi

echo; echo "== 1. a warehouse: 3 windows, each committed and checkpointed"
mkdir -p "$work/db" "$work/out"
"$bin" build "$work/db/wh.duckdb"
cp "$work/db/wh.duckdb" "$work/db/pre.duckdb"

echo; echo "== 2. window 4 + CHECKPOINT under strace -f -y -e trace=pwrite64,write,fsync,fdatasync"
strace -f -y -e trace=pwrite64,write,fsync,fdatasync -o "$work/db/strace.txt" \
  "$bin" window "$work/db/wh.duckdb" 4
grep -v '\.wal>' "$work/db/strace.txt" | grep -E 'pwrite64|fsync|fdatasync' | cut -c1-200

echo; echo "== 3. torn files built from the pre-checkpoint file and that trace"
tear_rc=0
"$bin" tear "$work/db/pre.duckdb" "$work/db/wh.duckdb" "$work/db/strace.txt" "$work/out" ||
  tear_rc=$?

echo; echo "== 4. does Linux tear a 256 KiB pwrite on SIGKILL? (no DuckDB, 10 s)"
tw="$("$bin" tearwrite "$work/out" 10)"
echo "$tw"
torn_writes="$(sed -n 's/.*, \([0-9]*\) left the block torn.*/\1/p' <<<"$tw" | head -1)"

if [[ "${KILL_LOOP_SECONDS:-0}" != 0 ]]; then
  echo; echo "== 5. random SIGKILL of a commit+checkpoint loop for ${KILL_LOOP_SECONDS}s"
  "$bin" killloop "$work/out" "$KILL_LOOP_SECONDS" | grep -v '^ *built' || true
fi

echo; echo "== verdict"
if [[ $tear_rc == 0 && "${torn_writes:-0}" -gt 0 ]]; then
  echo "REPRODUCED: the checkpoint rewrites in place the 256 KiB metadata block both database"
  echo "headers depend on; a prefix of that write (what SIGKILL leaves, and Linux was seen to"
  echo "leave $torn_writes torn 256 KiB writes above) makes DuckDB refuse the file read-only and"
  echo "read-write with 'Corrupt database file'."
  exit 0
fi
echo "NOT REPRODUCED (tear rc=$tear_rc, torn plain writes=${torn_writes:-0}); see the output above"
exit 1
