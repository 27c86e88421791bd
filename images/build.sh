#!/usr/bin/env bash
# Builds the sandbox image from images/base/Dockerfile.
#
# Usage: images/build.sh [--offline] [--base IMAGE] [--stage node]
#   --offline     build on sandboxed/debian-base:bookworm (debootstrap from the
#                 host's Debian mirror) instead of pulling debian:bookworm-slim
#   --base IMAGE  use IMAGE as the base, as is
#   --stage node  build (into the cache, untagged) only the Node stage, which
#                 images/sandboxd/Dockerfile shares: install.sh then builds both
#                 images at once without fetching Node twice
# Env:  SANDBOXD_IMAGE            tag to build (default sandboxed/sandbox:latest)
#       SANDBOXED_EXTRA_CA_CERTS  PEM file (one or more CAs) trusted during the
#                                 build and inside the image; also read from the
#                                 settings file ($SANDBOXED_ENV_FILE, else .env)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
context="$here/base"
image="${SANDBOXD_IMAGE:-sandboxed/sandbox:latest}"
slim=debian:bookworm-slim
local_base=sandboxed/debian-base:bookworm

offline=false
base=""
stage=""
while [ $# -gt 0 ]; do
  case "$1" in
    --offline) offline=true ;;
    --base) base="${2:?--base needs an image}"; shift ;;
    --base=*) base="${1#--base=}" ;;
    --stage) stage="${2:?--stage needs a name}"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

# The environment wins over .env, and an empty value counts as unset (as in the daemon).
from_dotenv() {
  local line file="${SANDBOXED_ENV_FILE:-$repo/.env}"
  [ -f "$file" ] || return 0
  line="$(grep -E "^[[:space:]]*(export[[:space:]]+)?$1=" "$file" | tail -n 1)" || return 0
  line="${line#*=}"
  line="${line%\"}"; line="${line#\"}"; line="${line%\'}"; line="${line#\'}"
  printf '%s' "$line"
}
extra_ca="${SANDBOXED_EXTRA_CA_CERTS:-}"
[ -n "$extra_ca" ] || extra_ca="$(from_dotenv SANDBOXED_EXTRA_CA_CERTS)"

if [ -n "$extra_ca" ]; then
  if [ ! -r "$extra_ca" ] || ! grep -q -- '-----BEGIN CERTIFICATE-----' "$extra_ca"; then
    echo "SANDBOXED_EXTRA_CA_CERTS=$extra_ca is not a readable PEM file with a certificate" >&2
    exit 1
  fi
  export SANDBOXED_EXTRA_CA_CERTS="$extra_ca"
fi

# Rewritten only when the content changes, so the layers after it stay cached.
ca_out="$context/extra-ca.pem"
ca_tmp="$(mktemp)"
trap 'rm -f "$ca_tmp"' EXIT
if [ -n "$extra_ca" ]; then cat "$extra_ca" >"$ca_tmp"; fi
if ! cmp -s "$ca_tmp" "$ca_out" 2>/dev/null; then
  cp "$ca_tmp" "$ca_out"
  chmod 0644 "$ca_out"
fi

if [ -z "$base" ]; then
  if ! $offline; then
    if docker image inspect "$slim" >/dev/null 2>&1; then
      base="$slim"
    elif timeout 120 docker pull -q "$slim" >/dev/null 2>&1; then
      base="$slim"
    else
      echo "cannot pull $slim; building the local Debian base instead" >&2
    fi
  fi
  if [ -z "$base" ]; then
    bash "$here/debian-base.sh"
    base="$local_base"
  fi
fi

# The image runs these directly; git keeps the bits, but a copy may not have.
chmod 0755 "$context/sandboxed-init" "$context/sandboxed-ctl"

if [ -n "$stage" ]; then
  echo "building the $stage stage of $image from $base${extra_ca:+ (extra CA: $extra_ca)}"
  docker build --build-arg "BASE_IMAGE=$base" --target "$stage" "$context"
  exit 0
fi

echo "building $image from $base${extra_ca:+ (extra CA: $extra_ca)}"
start=$(date +%s)
docker build --build-arg "BASE_IMAGE=$base" -t "$image" "$context"
elapsed=$(( $(date +%s) - start ))

size="$(docker image inspect --format '{{.Size}}' "$image")"
printf 'image %s: %s MB, built in %d s\n' "$image" "$(( size / 1000 / 1000 ))" "$elapsed"
