#!/bin/sh
# npm-fetch.sh NAME@VERSION...: downloads each package's tarball from the npm
# registry into the current directory as NAME-VERSION.tgz (what `npm pack`
# writes) and checks it against the registry's sha512 integrity. curl and
# coreutils only: installing Debian's npm for this took ~390 packages.
# Used by the Node stage of images/base/Dockerfile and images/sandboxd/Dockerfile.
set -eu
registry="${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org/}"
registry="${registry%/}"
for spec in "$@"; do
  name="${spec%@*}" version="${spec##*@}"
  echo "fetching $name@$version from $registry"
  meta="$(curl -fsS --retry 3 "$registry/$name/$version")"
  url="$(printf '%s' "$meta" | sed -n 's/.*"tarball"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')"
  sri="$(printf '%s' "$meta" | sed -n 's/.*"integrity"[[:space:]]*:[[:space:]]*"sha512-\([^"]*\)".*/\1/p')"
  if [ -z "$url" ] || [ -z "$sri" ]; then
    echo "npm-fetch: no tarball or sha512 integrity for $name@$version in the registry's answer" >&2
    exit 1
  fi
  out="$name-$version.tgz"
  curl -fsS --retry 3 -o "$out" "$url"
  want="$(printf '%s' "$sri" | base64 -d | od -An -v -tx1 | tr -d ' \n')"
  got="$(sha512sum "$out" | cut -d' ' -f1)"
  if [ "$want" != "$got" ]; then
    echo "npm-fetch: $out does not match the registry's integrity (sha512 $got, expected $want)" >&2
    exit 1
  fi
  echo "$out: $(wc -c <"$out") bytes, sha512 verified"
done
