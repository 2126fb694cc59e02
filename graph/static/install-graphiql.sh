#!/usr/bin/env bash
# Installs GraphiQL's browser bundles into graph/static/vendor/ (or the directory given as
# the first argument), so that `khub serve` serves GraphiQL from itself and it works offline.
#
# The versions are pinned by package.json and package-lock.json beside this script; npm
# installs them in a throwaway directory and only the prebuilt files the page loads are
# copied (about 1.6 MB). Run it again after changing the pinned versions.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${1:-$here/vendor}"

if ! command -v npm >/dev/null 2>&1; then
    echo "error: npm is needed to install GraphiQL's assets (e.g. apt-get install npm)" >&2
    exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$here/.npmrc" "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)

modules="$work/node_modules"
staging="$work/vendor"
mkdir -p "$staging/licenses"
# source (under node_modules)                    name served under /graphiql-assets/
files=(
    "react/umd/react.production.min.js"             react.production.min.js
    "react-dom/umd/react-dom.production.min.js"     react-dom.production.min.js
    "graphiql/graphiql.min.js"                      graphiql.min.js
    "graphiql/graphiql.min.css"                     graphiql.min.css
    "@graphiql/plugin-explorer/dist/index.umd.js"   plugin-explorer.umd.js
    "@graphiql/plugin-explorer/dist/style.css"      plugin-explorer.css
)
for ((i = 0; i < ${#files[@]}; i += 2)); do
    cp "$modules/${files[i]}" "$staging/${files[i + 1]}"
done
for package in react react-dom graphiql @graphiql/plugin-explorer; do
    license="$(find "$modules/$package" -maxdepth 1 -iname 'LICENSE*' | head -n 1)"
    if [[ -n "$license" ]]; then
        cp "$license" "$staging/licenses/${package//\//-}.txt"
    fi
done
cp "$here/package.json" "$staging/package.json"

# Swap the directory in one step, so a running server never sees half an install.
mkdir -p "$(dirname "$dest")"
rm -rf "$dest.old"
if [[ -e "$dest" ]]; then
    mv "$dest" "$dest.old"
fi
mv "$staging" "$dest"
rm -rf "$dest.old"
echo "installed GraphiQL's assets into $dest"
