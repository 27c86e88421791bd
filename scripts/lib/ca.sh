# shellcheck shell=bash
# The CAs this host trusts beyond its distribution's bundle (a TLS-inspecting
# proxy's, a company's), found where they are configured, never guessed:
# NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, /usr/local/share/ca-certificates,
# /etc/pki/ca-trust/source/anchors, and certificates added to the system bundle
# by hand. A certificate the distribution ships (/usr/share/ca-certificates) is
# not extra.

SYSTEM_BUNDLES=(/etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/ca-bundle.pem)
DIST_CA_DIR=/usr/share/ca-certificates

# Writes the extra certificates (PEM, each once) to OUT and sets ca_count and
# ca_from (where they were found). OUT is left alone when there are none.
find_extra_cas() { # out
  local out=$1 f tmp srcs
  local sources=() dist=()
  ca_count=0 ca_from=""
  for f in "${NODE_EXTRA_CA_CERTS:-}" "${SSL_CERT_FILE:-}"; do
    [ -n "$f" ] && [ -f "$f" ] && [ -r "$f" ] && sources+=("$f")
  done
  while IFS= read -r f; do sources+=("$f"); done < <(
    find /usr/local/share/ca-certificates /etc/pki/ca-trust/source/anchors -type f \
      \( -name '*.crt' -o -name '*.pem' \) 2>/dev/null | sort)
  # The system bundle holds the distribution's CAs plus any added by hand; only
  # a host that says which are the distribution's can tell them apart.
  if [ -d "$DIST_CA_DIR" ]; then
    while IFS= read -r f; do dist+=("$f"); done < <(find "$DIST_CA_DIR" -type f -name '*.crt' 2>/dev/null)
    for f in "${SYSTEM_BUNDLES[@]}"; do [ -r "$f" ] && sources+=("$f"); done
  fi
  [ ${#sources[@]} -gt 0 ] || return 0

  tmp="$(mktemp)"
  srcs="$(mktemp)"
  awk -v srcfile="$srcs" '
    /-----BEGIN CERTIFICATE-----/ { on = 1; b = ""; next }
    /-----END CERTIFICATE-----/ {
      if (on && b != "") {
        if (known) dist[b] = 1
        else if (!(b in dist) && !(b in seen)) { seen[b] = 1; out[++n] = b; from[FILENAME] = 1 }
      }
      on = 0; next
    }
    on { gsub(/[ \t\r]/, ""); b = b $0 }
    END {
      for (i = 1; i <= n; i++) {
        print "-----BEGIN CERTIFICATE-----"
        for (j = 1; j <= length(out[i]); j += 64) print substr(out[i], j, 64)
        print "-----END CERTIFICATE-----"
      }
      for (f in from) print f > srcfile
    }' known=1 ${dist[@]+"${dist[@]}"} known=0 "${sources[@]}" >"$tmp" 2>/dev/null || true
  ca_count=$(grep -c -- '-----BEGIN CERTIFICATE-----' "$tmp" || true)
  if [ "$ca_count" -gt 0 ]; then
    ca_from="$(ca_labels <"$srcs")"
    if ! cmp -s "$tmp" "$out" 2>/dev/null; then
      cp "$tmp" "$out"
      chmod 0644 "$out"
    fi
  fi
  rm -f "$tmp" "$srcs"
}

# Names the sources the way the operator set them.
ca_labels() {
  local f labels=() local_dir=false
  while IFS= read -r f; do
    if [ "$f" = "${NODE_EXTRA_CA_CERTS:-}" ]; then labels+=("NODE_EXTRA_CA_CERTS")
    elif [ "$f" = "${SSL_CERT_FILE:-}" ]; then labels+=("SSL_CERT_FILE")
    elif [[ $f == /usr/local/share/ca-certificates/* ]]; then local_dir=true
    else labels+=("$f")
    fi
  done
  $local_dir && labels+=(/usr/local/share/ca-certificates)
  local IFS=,
  printf '%s' "${labels[*]}" | sed 's/,/, /g'
}
