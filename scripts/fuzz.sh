#!/usr/bin/env bash
# Runs the libFuzzer targets of build/fuzz (make build-fuzz) on their corpora in fuzz/corpus/.
#
#   scripts/fuzz.sh run SECONDS TARGET...  each target for SECONDS, new inputs kept in
#                                          build/fuzz/corpus/<target>
#   scripts/fuzz.sh ci SECONDS TARGET...   each committed input once, then SECONDS of mutation
#                                          into a throw-away folder (make fuzz-ci)
#
# A finding (crash, sanitizer report, leak, an input running longer than FUZZ_TIMEOUT seconds,
# 30 by default: a niced run on a busy machine can stall for ten) is saved to
# build/fuzz/findings/<target>/ and makes the script exit 1 after the other targets ran. One line
# per target gives its executions and time. FUZZ_RUNS=N ends a `run` after N executions when that
# comes before SECONDS (a campaign of a set size: FUZZ_RUNS=10000000 with a generous SECONDS).
set -uo pipefail
cd "$(dirname "$0")/.."

mode=${1:?usage: fuzz.sh run|ci SECONDS TARGET...}
seconds=${2:?usage: fuzz.sh run|ci SECONDS TARGET...}
shift 2
build=build/fuzz/fuzz
failed=()
for target in "$@"; do
  binary=$build/$target
  seeds=fuzz/corpus/$target
  findings=build/fuzz/findings/$target
  mkdir -p "$findings"
  options=(-max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-30}" -rss_limit_mb=2048 -print_final_stats=1
           -artifact_prefix="$findings/")
  [[ -f fuzz/dictionaries/$target.dict ]] && options+=(-dict="fuzz/dictionaries/$target.dict")
  [[ $mode == run && -n ${FUZZ_RUNS:-} ]] && options+=(-runs="$FUZZ_RUNS")
  mkdir -p "build/fuzz/logs/$mode"
  log=build/fuzz/logs/$mode/$target.log
  started=$(date +%s)
  if [[ $mode == ci ]]; then
    scratch=$(mktemp -d)
    "$binary" -runs=0 "${options[@]}" "$seeds" >"$log" 2>&1 &&
      "$binary" "${options[@]}" "$scratch" "$seeds" >>"$log" 2>&1
    status=$?
    rm -rf "$scratch"
  else
    corpus=build/fuzz/corpus/$target
    mkdir -p "$corpus"
    "$binary" "${options[@]}" "$corpus" "$seeds" >"$log" 2>&1
    status=$?
  fi
  executions=$(grep -h 'stat::number_of_executed_units' "$log" | awk '{sum += $2} END {print sum + 0}')
  elapsed=$(($(date +%s) - started))
  if ((status != 0)); then
    failed+=("$target")
    echo "fuzz: $target FAILED after $executions executions in ${elapsed}s (log $log, inputs in $findings/)"
    grep -m 5 -E 'ERROR|invariant|runtime error|Test unit written' "$log" | sed 's/^/  /'
  else
    echo "fuzz: $target ok: $executions executions in ${elapsed}s"
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: findings in ${failed[*]}"
  exit 1
fi
