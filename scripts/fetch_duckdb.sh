#!/usr/bin/env bash
# Fetches the pinned DuckDB that stands in for MaxCompute: the C API library from
# @duckdb/node-bindings-linux-x64 (package/libduckdb.so) and its matching header from duckdb
# (package/src/duckdb/src/include/duckdb.h), into the git-ignored third_party/duckdb/{lib,include}.
# Then installs tests/warehouse-reader (@duckdb/node-api, the independent Parquet reader of the
# tests) from its lockfile. Safe to run again: it does nothing when the pinned version is in place.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly BINDINGS_PACKAGE="@duckdb/node-bindings-linux-x64@1.4.4-r.4"
readonly HEADER_PACKAGE="duckdb@1.4.4"
readonly PIN="${BINDINGS_PACKAGE} ${HEADER_PACKAGE}"
readonly DEST=third_party/duckdb
readonly STAMP="${DEST}/VERSION"

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "fetch_duckdb: ${BINDINGS_PACKAGE} ships libduckdb.so for Linux x86-64 only" >&2
  exit 1
fi

if [[ -f "${STAMP}" && "$(cat "${STAMP}")" == "${PIN}" && -f "${DEST}/lib/libduckdb.so" &&
      -f "${DEST}/include/duckdb.h" ]]; then
  echo "fetch_duckdb: ${PIN} already in ${DEST}"
else
  echo "fetch_duckdb: fetching ${PIN}"
  work="$(mktemp -d)"
  trap 'rm -rf "${work}"' EXIT
  (cd "${work}" && npm pack --silent --no-audit --no-fund "${BINDINGS_PACKAGE}" "${HEADER_PACKAGE}" >/dev/null)
  bindings_tgz=("${work}"/duckdb-node-bindings-linux-x64-*.tgz)
  header_tgz=("${work}"/duckdb-1.*.tgz)
  tar -xzf "${bindings_tgz[0]}" -C "${work}" package/libduckdb.so
  tar -xzf "${header_tgz[0]}" -C "${work}" package/src/duckdb/src/include/duckdb.h
  rm -rf "${DEST}"
  mkdir -p "${DEST}/lib" "${DEST}/include"
  mv "${work}/package/libduckdb.so" "${DEST}/lib/libduckdb.so"
  mv "${work}/package/src/duckdb/src/include/duckdb.h" "${DEST}/include/duckdb.h"
  echo "${PIN}" >"${STAMP}"
fi

if command -v node >/dev/null && command -v npm >/dev/null; then
  if [[ ! -d tests/warehouse-reader/node_modules/@duckdb/node-api ]]; then
    echo "fetch_duckdb: installing the pinned npm packages of tests/warehouse-reader"
    # Not `npm ci`: the registry holds only the linux-x64 build of @duckdb/node-bindings, so the
    # lockfile cannot list the other platforms' optional packages and `npm ci` calls it out of
    # sync. `npm install --no-save` still installs exactly the locked versions and integrities.
    (cd tests/warehouse-reader && npm install --no-save --no-audit --no-fund --loglevel=error)
  fi
else
  echo "fetch_duckdb: node/npm missing; the Node Parquet read-back test will be skipped" >&2
fi
