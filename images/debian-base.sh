#!/usr/bin/env bash
# Builds sandboxed/debian-base:bookworm from the Debian mirror this machine's apt
# already uses, for hosts that reach no container registry. The image matches
# debian:bookworm-slim closely enough for images/base/Dockerfile: minbase, apt
# pointed at the same mirror, docs and man pages excluded.
#
# Usage: images/debian-base.sh [--force]
# Env:   DEBIAN_MIRROR   override the mirror read from /etc/apt
#        SANDBOXED_EXTRA_CA_CERTS   PEM trusted inside the image (only used for https mirrors)
set -euo pipefail

IMAGE=sandboxed/debian-base:bookworm
SUITE=bookworm
force=false
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    *) echo "usage: $0 [--force]" >&2; exit 2 ;;
  esac
done

if ! $force && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "$IMAGE exists (use --force to rebuild)"
  exit 0
fi

# Prints "URI SUITE..." for every enabled deb source, from both the deb822
# (*.sources) and one-line (*.list) formats.
apt_sources() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^[ \t]*#/) continue
          key = tolower(line); sub(/:.*/, "", key)
          val = line; sub(/^[^:]*:[ \t]*/, "", val)
          if (key == "types") types = val
          else if (key == "uris") uris = val
          else if (key == "suites") suites = val
          else if (key == "enabled") enabled = tolower(val)
        }
        if (enabled == "no" || types !~ /(^|[ \t])deb([ \t]|$)/) next
        n = split(uris, u, /[ \t]+/)
        for (j = 1; j <= n; j++) if (u[j] != "") print u[j], suites
      }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" { print $2, $3 }'
  done
}

strip_slash() { local u="$1"; echo "${u%/}"; }

mirror="${DEBIAN_MIRROR:-}"
security=""
if [ -z "$mirror" ]; then
  sources="$(apt_sources)"
  # The main archive is served under .../debian; security under .../debian-security.
  mirror="$(awk '$1 ~ /\/debian\/?$/ { print $1; exit }' <<<"$sources")"
  security="$(awk '$1 ~ /\/debian-security\/?$/ { print $1; exit }' <<<"$sources")"
fi
if [ -z "$mirror" ]; then
  echo "no Debian mirror found in /etc/apt sources; set DEBIAN_MIRROR=http://<mirror>/debian" >&2
  exit 1
fi
mirror="$(strip_slash "$mirror")"
[ -n "$security" ] && security="$(strip_slash "$security")"
echo "mirror: $mirror${security:+ (security: $security)}"

if ! command -v debootstrap >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
keyring_opt=()
[ -f "$keyring" ] && keyring_opt=(--keyring="$keyring")

include=()
https=false
case "$mirror" in https://*) https=true; include=(--include=ca-certificates) ;; esac

root="$(mktemp -d /tmp/sandboxed-debootstrap.XXXXXX)"
cleanup() { rm -rf --one-file-system "$root"; }
trap cleanup EXIT

debootstrap --variant=minbase "${keyring_opt[@]}" "${include[@]}" "$SUITE" "$root" "$mirror"

# apt inside the image uses the same mirror, in deb822 form like the official image.
rm -f "$root/etc/apt/sources.list"
{
  printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: %s\n' \
    "$mirror" "$SUITE" "$SUITE" "$keyring"
  if [ -n "$security" ]; then
    printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: %s\n' \
      "$security" "$SUITE" "$keyring"
  fi
} >"$root/etc/apt/sources.list.d/debian.sources"

# The same size policy as debian:*-slim: no docs, man pages or translations.
cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
echo 'Acquire::GzipIndexes "true";' >"$root/etc/apt/apt.conf.d/docker-gzip-indexes"
echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"

# An https mirror needs the operator's CA (a TLS-inspecting proxy) for apt to work.
if $https && [ -n "${SANDBOXED_EXTRA_CA_CERTS:-}" ]; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  tr -d '\r' <"$SANDBOXED_EXTRA_CA_CERTS" | awk -v dir="$root/usr/local/share/ca-certificates" '
    /-----BEGIN CERTIFICATE-----/ { n++; f = sprintf("%s/sandboxed-extra-%03d.crt", dir, n) }
    n && f { print > f }
    /-----END CERTIFICATE-----/ { close(f); f = "" }'
  chroot "$root" update-ca-certificates >/dev/null
fi

find "$root/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete 2>/dev/null || true
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
  "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin \
  "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/tmp/* "$root"/etc/hostname "$root"/etc/resolv.conf
: >"$root/etc/machine-id" 2>/dev/null || true

tar --numeric-owner -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' \
  - "$IMAGE" >/dev/null
docker image ls "$IMAGE"
