#!/usr/bin/env bash
# Refresh the front-end files under static/vendor/ from the npm registry.
#
# Deployments sit on intranets, so every asset is served by dangjian itself (whitenoise), never from
# a CDN, and a normal install (`make run`) needs no node: the built files are committed. Run this
# (`make vendor`) only to change a version, then commit static/vendor/.
set -euo pipefail

HTMX_VERSION=2.0.11        # htmx 4 is a new major with breaking changes; stay on 2.x
ECHARTS_VERSION=6.1.0
BOOTSTRAP_VERSION=5.3.9

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch NAME VERSION → unpacked into $work/NAME
    local tarball
    tarball=$(cd "$work" && npm pack --silent "$1@$2" | tail -n 1)
    mkdir -p "$work/$1"
    tar -xzf "$work/$tarball" -C "$work/$1" --strip-components=1
}

fetch htmx.org "$HTMX_VERSION"
fetch echarts "$ECHARTS_VERSION"
fetch bootstrap "$BOOTSTRAP_VERSION"

rm -rf "$dest"
mkdir -p "$dest/htmx" "$dest/echarts" "$dest/bootstrap/css" "$dest/bootstrap/js"
cp "$work/htmx.org/dist/htmx.min.js" "$dest/htmx/"
cp "$work/htmx.org/LICENSE" "$dest/htmx/LICENSE"
cp "$work/echarts/dist/echarts.min.js" "$dest/echarts/"
cp "$work/echarts/LICENSE" "$work/echarts/NOTICE" "$dest/echarts/"
cp "$work/bootstrap/dist/css/bootstrap.min.css" "$work/bootstrap/dist/css/bootstrap.min.css.map" "$dest/bootstrap/css/"
cp "$work/bootstrap/dist/js/bootstrap.bundle.min.js" "$work/bootstrap/dist/js/bootstrap.bundle.min.js.map" "$dest/bootstrap/js/"
cp "$work/bootstrap/LICENSE" "$dest/bootstrap/LICENSE"

licence() { node -e "console.log(require('$work/$1/package.json').license)"; }
cat > "$dest/VERSIONS.md" <<MD
# Vendored front-end assets

Served locally by dangjian (whitenoise); refreshed by \`scripts/vendor-assets.sh\` (\`make vendor\`)
from the npm registry. Each folder holds the package's licence file.

| package | version | licence | files |
| --- | --- | --- | --- |
| htmx.org | $HTMX_VERSION | $(licence htmx.org) | htmx/htmx.min.js |
| echarts (Apache ECharts) | $ECHARTS_VERSION | $(licence echarts) | echarts/echarts.min.js |
| bootstrap | $BOOTSTRAP_VERSION | $(licence bootstrap) | bootstrap/css/bootstrap.min.css, bootstrap/js/bootstrap.bundle.min.js |

Swagger UI for \`/api/docs/\` comes from the pinned Python package drf-spectacular-sidecar.
MD
echo "static/vendor/ refreshed:"
find "$dest" -type f | sort | sed "s|$root/||"
