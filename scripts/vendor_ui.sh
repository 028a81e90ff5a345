#!/usr/bin/env bash
# Vendors the console's UI library: installs the pinned npm packages of src/console/vendor/ (its
# package-lock.json) and copies their browser files into src/console/ui/ as vendor-*.js, where
# the build embeds them into otsync with the console's own files. The copies are not committed
# (.gitignore); nothing is fetched when the console runs. Safe to run again: it installs only when
# the installed versions differ from the pins, and rewrites a copy only when it changed.
set -euo pipefail
cd "$(dirname "$0")/.."

VENDOR=src/console/vendor
UI=src/console/ui

# "name version" of each pinned dependency whose installed copy is missing or differs.
stale=$(node -e '
  const fs = require("fs");
  const pins = require(process.argv[1] + "/package.json").dependencies;
  for (const [name, version] of Object.entries(pins)) {
    let installed = "";
    try { installed = require(process.argv[1] + "/node_modules/" + name + "/package.json").version; } catch (_) {}
    if (installed !== version) console.log(name + " " + version);
  }' "$PWD/$VENDOR")
if [[ -n $stale ]]; then
  echo "setup: installing the console's UI library (${stale//$'\n'/, })"
  (cd "$VENDOR" && npm ci --no-audit --no-fund --loglevel=error)
fi

# copy SOURCE TARGET PACKAGE: one ES module with a header naming its package, version and
# licence; its source-map comment dropped (the map is not shipped), and the bare "preact"
# import rewritten to the vendored file, since an import map would be an inline script, which
# the console's Content-Security-Policy forbids.
copy() {
  local source=$VENDOR/node_modules/$1 target=$UI/$2 package=$3
  local version license
  version=$(node -p "require('./$VENDOR/node_modules/$package/package.json').version")
  license=$(node -p "require('./$VENDOR/node_modules/$package/package.json').license")
  local temporary
  temporary=$(mktemp)
  {
    echo "// $package $version ($license licence), from npm; copied by scripts/vendor_ui.sh. Do not edit."
    sed -e 's#//[#@] sourceMappingURL=.*$##' -e 's#from"preact"#from"./vendor-preact.js"#g' \
        -e "s#from 'preact'#from './vendor-preact.js'#g" -e 's#from "preact"#from "./vendor-preact.js"#g' \
        "$source"
  } >"$temporary"
  if ! cmp -s "$temporary" "$target"; then
    mv "$temporary" "$target"
    chmod 644 "$target"
  else
    rm -f "$temporary"
  fi
}
copy preact/dist/preact.mjs vendor-preact.js preact
copy preact/hooks/dist/hooks.mjs vendor-preact-hooks.js preact
copy htm/dist/htm.module.js vendor-htm.js htm

if grep -q 'from *["'"'"']preact' "$UI"/vendor-*.js; then
  echo "setup: a vendored UI file still imports the bare name 'preact'" >&2
  exit 1
fi
