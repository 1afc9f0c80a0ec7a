#!/bin/sh
# Trunk post-build hook: list the app shell's files (with their hashed names) in sw.js, and
# version its cache by their content, so each build replaces the previous cache cleanly.
set -eu
dir="${TRUNK_STAGING_DIR:?run by Trunk as a post_build hook}"
cd "$dir"
files=$(find . -type f ! -name sw.js | sed 's|^\./||' | sort)
version=$(for f in $files; do sha256sum "$f"; done | sha256sum | cut -c1-16)
# The app's path on the server: / for the field app, /desk/ for the desk (set by cargo xtask).
base="${REVISIT_PUBLIC_URL:-/}"
list=$(for f in $files; do
  case "$f" in index.html) printf '"%s",' "$base" ;; *) printf '"%s%s",' "$base" "$f" ;; esac
done | sed 's/,$//')
sed -i "s|__PRECACHE__|[$list]|; s|__VERSION__|$version|" sw.js
echo "sw-precache: $(echo "$files" | wc -l) files, cache revisit-$version"
