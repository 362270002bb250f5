#!/usr/bin/env bash
# Install the npm packages the tests use to parse the reports' Mermaid diagrams with Mermaid's
# own parser (tests/mermaid_parse.mjs): `mermaid`, and `jsdom` for the DOM its parse() needs
# (it sanitises labels with DOMPurify, which wants a window). They go into a cache folder
# outside the repository, at pinned versions; a second call with the same pins does nothing.
# The folder is $CONSOLIDATE_NODE_TOOLS when set, else
# ${XDG_CACHE_HOME:-$HOME/.cache}/consolidate-tests/node (where the tests look by default).
set -euo pipefail

packages="mermaid@11.17.2 jsdom@26.1.0"
dir="${CONSOLIDATE_NODE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/consolidate-tests/node}"
stamp="$dir/installed.txt"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$packages" ]]; then
  exit 0
fi
if ! command -v npm >/dev/null && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "node-tools: npm not found; installing Debian's nodejs and npm" >&2
  apt-get update -qq >/dev/null && apt-get install -y -qq nodejs npm >/dev/null
fi
if ! command -v npm >/dev/null; then
  echo "node-tools: npm not found: install Node.js 20 or later with npm, then run this again" >&2
  exit 1
fi
mkdir -p "$dir"
rm -f "$stamp"
[[ -f "$dir/package.json" ]] || printf '{"private": true}\n' >"$dir/package.json"
# shellcheck disable=SC2086  # one word per package
npm install --prefix "$dir" --save-exact --no-audit --no-fund --ignore-scripts \
  --loglevel=error $packages >/dev/null
printf '%s\n' "$packages" >"$stamp"
