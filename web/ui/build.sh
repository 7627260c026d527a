#!/usr/bin/env bash
# build.sh: bundles the pages in src/ into dist/, which ui.go embeds and git
# keeps, so that building cityops and running its tests needs no npm. Run it
# after changing src/ or package.json, and commit dist/ with the change.
#
# npm ci installs exactly what package-lock.json pins (maplibre-gl, deck.gl,
# esbuild); esbuild bundles each page with its own entry and a shared chunk,
# minified, for browsers of the last few years.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
rm -rf dist
mkdir -p dist
esbuild=node_modules/.bin/esbuild
"$esbuild" src/map.js src/inbox.js src/planner.js \
  --bundle --splitting --format=esm --minify --target=es2022 \
  --chunk-names='chunk-[hash]' --outdir=dist --legal-comments=linked \
  --log-level=warning
# MapLibre parses tiles and GeoJSON in web workers; a same-origin module
# worker keeps the page within the server's Content-Security-Policy (no blob:).
"$esbuild" node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs \
  --bundle --format=esm --minify --target=es2022 --outfile=dist/maplibre-worker.js \
  --legal-comments=linked --log-level=warning
cp node_modules/maplibre-gl/dist/maplibre-gl.css dist/maplibre-gl.css
cp src/*.html src/app.css dist/
ls -l dist
