#!/usr/bin/env bash
# Installs everything otsync needs on a Debian 12 machine: the toolchain and libraries from
# Debian's packages, the pinned npm packages used as test peers (and playwright-core, which drives
# Debian's chromium in the console's browser test), and the console's pinned UI library. Safe to
# run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config clang-format
  librocksdb-dev libprotobuf-dev protobuf-compiler libssl-dev zlib1g-dev
  libcpp-httplib-dev nlohmann-json3-dev libsimdjson-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libsqlite3-dev libgoogle-perftools-dev
  libclang-rt-14-dev
  tzdata
  nodejs npm
  chromium
)

# libclang-rt-14-dev above gives the fuzz targets' FuzzedDataProvider.h, for the corpus replay of
# `make test`. `setup.sh --fuzz` adds the fuzzing toolchain (make build-fuzz): Debian's clang,
# whose libFuzzer and sanitizer runtimes are that package.
if [[ ${1:-} == --fuzz ]]; then
  APT_PACKAGES+=(clang)
fi

missing=()
for package in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
  # node and npm may come from elsewhere (a newer Node.js): keep them if they work.
  if command -v node >/dev/null && command -v npm >/dev/null; then
    filtered=()
    for package in "${missing[@]}"; do
      [[ $package == nodejs || $package == npm ]] || filtered+=("$package")
    done
    missing=("${filtered[@]}")
  fi
  if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
  fi
fi

# The official Tablestore Node.js SDK is the foreign client of the end-to-end tests;
# playwright-core drives chromium (never a browser of its own) in tests/e2e/console_ui.test.js.
# Installed again when a pinned version is missing or differs.
if ! node -e '
  const pins = require("./tests/e2e/package.json").dependencies;
  for (const [name, version] of Object.entries(pins)) {
    let installed = "";
    try { installed = require("./tests/e2e/node_modules/" + name + "/package.json").version; } catch (_) {}
    if (installed !== version) process.exit(1);
  }'; then
  echo "setup: installing the pinned npm packages of tests/e2e"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
bash scripts/vendor_ui.sh
bash scripts/fetch_duckdb.sh
echo "setup: ok"
