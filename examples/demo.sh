#!/usr/bin/env bash
# make demo: starts otsd from BUILD_DIR on a temporary data directory, runs otsdemo against it
# (create a table, write rows, read them back with the project's own client), then stops the
# server and removes the directory. Nothing is left running, whatever happens.
#
# Usage: examples/demo.sh BUILD_DIR      (default build/release)
set -euo pipefail

build_dir="${1:-build/release}"
otsd="$build_dir/src/tools/otsd"
otsdemo="$build_dir/src/tools/otsdemo"
for binary in "$otsd" "$otsdemo"; do
  if [[ ! -x "$binary" ]]; then
    echo "demo: $binary is missing; build it first (make build-release)" >&2
    exit 1
  fi
done

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/otsync-demo.XXXXXX")"
server_pid=""

stop_server() {
  [[ -n "$server_pid" ]] || return 0
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.05
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      echo "demo: otsd did not stop on SIGTERM within 5 s; killing it" >&2
      kill -KILL "$server_pid" 2>/dev/null || true
    fi
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
cleanup() {
  stop_server
  rm -rf "$work_dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$otsd" --listen=127.0.0.1:0 --data-dir="$work_dir/data" \
  >"$work_dir/otsd.out" 2>"$work_dir/otsd.err" &
server_pid=$!

endpoint=""
for _ in $(seq 1 200); do
  if line="$(grep -m1 '^otsd: serving ' "$work_dir/otsd.out" 2>/dev/null)"; then
    endpoint="${line#otsd: serving }"
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "demo: otsd exited before serving:" >&2
    cat "$work_dir/otsd.err" >&2
    exit 1
  fi
  sleep 0.05
done
if [[ -z "$endpoint" ]]; then
  echo "demo: otsd printed no serving line within 10 s" >&2
  exit 1
fi

echo "otsd serving $endpoint (data in a temporary directory)"
echo
"$otsdemo" --endpoint="$endpoint"
echo
stop_server
echo "otsd stopped; temporary data removed"
