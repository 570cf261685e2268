#!/usr/bin/env bash
# Re-create server/web/static/vendor/yasgui from npm: the YASGUI build the query workbench serves.
#
# The version is pinned by package.json / package-lock.json next to this script (@zazuko/yasgui,
# the maintained fork of @triply/yasgui, MIT). The packages are installed into a temporary folder
# (no node_modules in the tree); the bundle is copied unchanged and its licence texts collected:
#   yasgui.min.js, yasgui.min.css   the UMD build and its styles (build/ of the npm package)
#   LICENSE                         YASGUI's licence (the npm package declares MIT, ships no text)
#   THIRD-PARTY-LICENSES.txt        the licences of the packages the bundle includes
#   VERSION                         package name, version and npm integrity of what was copied
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="$here/../../server/web/static/vendor/yasgui"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp "$here/package.json" "$here/package-lock.json" "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)

pkg="$work/node_modules/@zazuko/yasgui"
mkdir -p "$target"
cp "$pkg/build/yasgui.min.js" "$pkg/build/yasgui.min.css" "$target/"

version="$(node -p "require('$pkg/package.json').version")"
integrity="$(node -p "require('$here/package-lock.json').packages['node_modules/@zazuko/yasgui'].integrity")"
printf '@zazuko/yasgui %s\nnpm integrity %s\nfiles: build/yasgui.min.js build/yasgui.min.css (unchanged)\n' \
  "$version" "$integrity" > "$target/VERSION"

# The package declares "license": "MIT" (author Triply, contributor Zazuko GmbH) without a text.
cat > "$target/LICENSE" <<EOF
YASGUI - @zazuko/yasgui $version (https://github.com/zazuko/Yasgui), a fork of
@triply/yasgui (https://github.com/TriplyDB/Yasgui).

The npm package declares the MIT licence ("license": "MIT" in its package.json, author
"Triply <info@triply.cc>", contributor "Zazuko GmbH") but ships no licence text; the MIT
licence text follows. The licences of the packages bundled into yasgui.min.js are in
THIRD-PARTY-LICENSES.txt.

MIT License

Copyright (c) Triply and Zazuko GmbH

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF

# Every installed package but YASGUI's own and type declarations: name, version, licence, text.
(cd "$work/node_modules" && node - > "$target/THIRD-PARTY-LICENSES.txt") <<'EOF'
const fs = require("fs");
const path = require("path");
const dirs = [];
for (const entry of fs.readdirSync(".").sort()) {
  if (entry.startsWith(".")) continue;
  if (entry.startsWith("@")) {
    for (const sub of fs.readdirSync(entry).sort()) dirs.push(path.join(entry, sub));
  } else dirs.push(entry);
}
console.log("Licences of the packages bundled into yasgui.min.js (installed by tools/yasgui/vendor.sh).\n");
for (const dir of dirs) {
  if (dir.startsWith("@zazuko/") || dir.startsWith("@types/")) continue;
  const meta = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const licence = meta.license || (meta.licenses || []).map((l) => l.type).join(" OR ") || "see text";
  const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
  console.log("=".repeat(78));
  console.log(`${meta.name} ${meta.version} - ${licence}`);
  console.log("=".repeat(78));
  console.log(file ? fs.readFileSync(path.join(dir, file), "utf8").trim() : "(no licence file in the package)");
  console.log();
}
EOF
echo "vendored @zazuko/yasgui $version into $target"
