# shellcheck shell=bash
# install.sh's settings stage: the settings file (written once, with an API
# token), the extra CAs, and what docker-compose.yml interpolates.

# 32 random bytes, base64url without padding (43 characters).
new_token() { head -c 32 /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'; }

write_new_settings() { # edge
  local edge=$1 tmp line name value
  mkdir -p "$(dirname "$env_file")"
  tmp="$(mktemp "$env_file.XXXXXX")"
  # The API token is in this file: only its owner reads it.
  chmod 0600 "$tmp"
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ "$line" =~ ^([A-Z][A-Z0-9_]*)=(.*)$ ]]; then
      name="${BASH_REMATCH[1]}"
      value="${!name:-${BASH_REMATCH[2]}}"
      case "$name" in
        SANDBOXED_EDGE) value="$edge" ;;
        SANDBOXED_DATA_DIR) value="${value:-/var/lib/sandboxed}" ;;
        # Behind Traefik (host network too) only Traefik calls the internal edge port.
        SANDBOXED_EDGE_HOST) [ -n "${SANDBOXED_EDGE_HOST:-}" ] || [ "$edge" != traefik ] || value=127.0.0.1 ;;
      esac
      line="$name=$value"
    fi
    printf '%s\n' "$line"
  done <"$repo/.env.example" >"$tmp"
  mv "$tmp" "$env_file"
}

# The token: a new settings file gets one unless --no-auth (or auth is
# disabled or a token given in the environment); an existing one keeps its own.
settings_token() { # new (true|false)
  token_new=false
  [ -z "$(setting SANDBOXD_API_TOKENS)" ] || return 0
  $1 || return 0
  $no_auth && return 0
  case "$(setting SANDBOXD_API_AUTH_DISABLED)" in true|1|yes) return 0 ;; esac
  set_setting SANDBOXD_API_TOKENS "admin:$(new_token)"
  token_new=true
}

# SANDBOXED_EXTRA_CA_CERTS: the settings file's; else the environment's; else the
# CAs this host trusts beyond its distribution's, gathered into a file beside the
# settings (refreshed on every run while the setting names that file).
settings_ca() {
  local managed set
  managed="$(dirname "$env_file")/sandboxed-ca.pem"
  set="$(setting SANDBOXED_EXTRA_CA_CERTS)"
  if [ -n "$set" ] && [ -n "${SANDBOXED_EXTRA_CA_CERTS:-}" ] && [ "$set" != "$SANDBOXED_EXTRA_CA_CERTS" ]; then
    note "SANDBOXED_EXTRA_CA_CERTS in the environment ignored: $env_file says $set"
  fi
  if [ -z "$set" ] && [ -n "${SANDBOXED_EXTRA_CA_CERTS:-}" ]; then
    set="$SANDBOXED_EXTRA_CA_CERTS"
    case "$set" in /*) ;; *) set="$PWD/$set" ;; esac
    set_setting SANDBOXED_EXTRA_CA_CERTS "$set"
    note "extra CA: SANDBOXED_EXTRA_CA_CERTS=$set from the environment, written to $env_file"
  elif [ -z "$set" ] || [ "$set" = "$managed" ]; then
    find_extra_cas "$managed"
    if [ "$ca_count" -gt 0 ]; then
      if [ -z "$set" ]; then set="$managed"; set_setting SANDBOXED_EXTRA_CA_CERTS "$set"; fi
      note "extra CA: $ca_count certificate(s) this host trusts beyond its distribution's (from $ca_from), for the builds and every sandbox: SANDBOXED_EXTRA_CA_CERTS=$set"
    fi
  fi
  if [ -n "$set" ] && { [ ! -r "$set" ] || ! grep -q -- '-----BEGIN CERTIFICATE-----' "$set"; }; then
    die "SANDBOXED_EXTRA_CA_CERTS=$set is not a readable PEM file with a certificate (fix it in $env_file)"
  fi
  extra_ca="$set"
}

prepare_settings() { # edge chosen by the preflight
  local edge=$1 new=false
  if [ ! -f "$env_file" ]; then
    stage "writing $env_file from .env.example"
    write_new_settings "$edge"
    new=true
  else
    stage "settings: $env_file (kept as is)"
    local ignored=() name
    while IFS= read -r name; do
      case "$name" in SANDBOXED_EXTRA_CA_CERTS|SANDBOXD_API_TOKENS) continue ;; esac
      if [ -n "${!name:-}" ] && [ "${!name}" != "$(setting "$name")" ]; then ignored+=("$name"); fi
    done < <(sed -n 's/^\([A-Z][A-Z0-9_]*\)=.*/\1/p' "$repo/.env.example")
    if [ ${#ignored[@]} -gt 0 ]; then
      note "the environment sets ${ignored[*]}, but $env_file decides; edit it to change them"
    fi
    [ -z "$edge_opt" ] || [ "$edge_opt" = "$edge" ] ||
      note "--edge $edge_opt ignored: $env_file says SANDBOXED_EDGE=$edge"
    if $no_auth && [ -n "$(setting SANDBOXD_API_TOKENS)" ]; then
      note "--no-auth ignored: $env_file has an API token (remove SANDBOXD_API_TOKENS there to turn auth off)"
    fi
  fi
  chmod 0600 "$env_file" 2>/dev/null || warn "cannot make $env_file private (chmod 0600): it holds the API token"
  settings_token "$new"
  settings_ca
  $new && note "SANDBOXED_EDGE=$edge, SANDBOXED_DATA_DIR=$(setting SANDBOXED_DATA_DIR); edit the file and run ./install.sh again to change settings"

  # docker-compose.yml interpolates these; they come from the settings file,
  # never from a stray shell variable.
  SANDBOXED_ENV_FILE="$env_file"
  SANDBOXED_DATA_DIR="$data_dir"
  SANDBOXED_EXTRA_CA_CERTS="$extra_ca"
  SANDBOXED_INSTANCE="$(setting SANDBOXED_INSTANCE)"
  SANDBOXED_EDGE_INTERNAL_PORT="$(setting SANDBOXED_EDGE_INTERNAL_PORT)"
  DOCKER_SOCKET="$(setting DOCKER_SOCKET)"
  PREVIEW_ENTRYPOINT="$(setting PREVIEW_ENTRYPOINT)"
  export SANDBOXED_ENV_FILE SANDBOXED_DATA_DIR SANDBOXED_EXTRA_CA_CERTS SANDBOXED_INSTANCE \
    SANDBOXED_EDGE_INTERNAL_PORT DOCKER_SOCKET PREVIEW_ENTRYPOINT COMPOSE_PROJECT_NAME
  # images/build.sh tags the sandbox image the daemon will run.
  SANDBOXD_IMAGE="$(setting SANDBOXD_IMAGE)"
  if [ -n "$SANDBOXD_IMAGE" ]; then export SANDBOXD_IMAGE; else unset SANDBOXD_IMAGE; fi
}

# Like compose's own default: docker-compose.override.yml, when present, adds to the stack.
compose() {
  local files=(-f "$repo/docker-compose.yml")
  [ ! -f "$repo/docker-compose.override.yml" ] || files+=(-f "$repo/docker-compose.override.yml")
  "${compose_cmd[@]}" --env-file "$env_file" "${files[@]}" -p "$COMPOSE_PROJECT_NAME" "$@"
}
