# Starting and stopping an otsd from a bash script (sourced by bench/run.sh and
# examples/demo.sh; the C++ tests use src/readers/otsstream/otsd_process.h, the Node tests
# tests/e2e/harness.js).
#
#   otsd_start OTSD_BINARY DATA_DIR [otsd flags...]
#       Starts otsd on 127.0.0.1 with a free port and DATA_DIR; its stdout and stderr go to
#       DATA_DIR.out and DATA_DIR.err. Sets otsd_pid and otsd_endpoint ("http://127.0.0.1:PORT")
#       once otsd prints its serving line. Returns 1, with otsd's stderr on ours, when otsd exits
#       first or prints nothing within 10 s.
#   otsd_stop
#       SIGTERM, then SIGKILL after 10 s; reaps it. Does nothing when none is running, so it
#       is safe in an EXIT trap.
# Messages are prefixed with $otsd_log_prefix ("otsd" unless the caller sets it).

otsd_pid=""
otsd_endpoint=""

otsd_start() {
  local binary="$1" data_dir="$2"
  mkdir -p "$data_dir"
  "$binary" --listen=127.0.0.1:0 --data-dir="$data_dir" "${@:3}" \
    >"$data_dir.out" 2>"$data_dir.err" &
  otsd_pid=$!
  otsd_endpoint=""
  local line
  for _ in $(seq 1 200); do
    if line="$(grep -m1 '^otsd: serving ' "$data_dir.out" 2>/dev/null)"; then
      otsd_endpoint="${line#otsd: serving }"
      return 0
    fi
    if ! kill -0 "$otsd_pid" 2>/dev/null; then
      echo "${otsd_log_prefix:-otsd}: otsd exited before serving:" >&2
      cat "$data_dir.err" >&2
      otsd_pid=""
      return 1
    fi
    sleep 0.05
  done
  echo "${otsd_log_prefix:-otsd}: otsd printed no serving line within 10 s" >&2
  return 1
}

otsd_stop() {
  [[ -n "$otsd_pid" ]] || return 0
  if kill -0 "$otsd_pid" 2>/dev/null; then
    kill -TERM "$otsd_pid" 2>/dev/null || true
    for _ in $(seq 1 200); do
      kill -0 "$otsd_pid" 2>/dev/null || break
      sleep 0.05
    done
    if kill -0 "$otsd_pid" 2>/dev/null; then
      echo "${otsd_log_prefix:-otsd}: otsd did not stop on SIGTERM within 10 s; killing it" >&2
      kill -KILL "$otsd_pid" 2>/dev/null || true
    fi
  fi
  wait "$otsd_pid" 2>/dev/null || true
  otsd_pid=""
}
