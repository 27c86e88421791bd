#!/usr/bin/env bash
# Installs, upgrades or repairs sandboxed on this host with Docker Compose:
# checks Docker and Compose, writes the settings file once, builds the images,
# starts the stack and waits until sandboxd is ready. Run it again at any time:
# it rebuilds, restarts what changed (sandboxd migrates its database at start)
# and keeps every sandbox, workspace and setting.
#
# Usage: ./install.sh [--offline] [--edge builtin|traefik|none] [--runtime runc|gvisor] [--env-file FILE] [--timeout SECONDS]
#   --offline        no container registry: build on a local Debian base made with
#                    debootstrap (images/debian-base.sh); picked by itself when
#                    the registry does not answer
#   --edge MODE      SANDBOXED_EDGE for a new settings file (default: traefik when
#                    the registry answers, builtin otherwise)
#   --runtime R      the default runtime of new sandboxes (SANDBOXD_DEFAULT_RUNTIME in
#                    the settings file); gvisor also installs the distribution's runsc
#                    package and registers it with Docker (scripts/lib/gvisor.sh)
#   --env-file FILE  the settings file (default: $SANDBOXED_ENV_FILE, else ./.env),
#                    created from .env.example when missing and never overwritten
#   --timeout S      how long to wait for sandboxd to become ready (default 180)
# Env: variables of .env.example seed a new settings file (e.g. HTTP_PORT=8080);
#      SANDBOXED_EXTRA_CA_CERTS also applies to builds on every run;
#      COMPOSE_PROJECT_NAME names the stack (default sandboxed).
set -euo pipefail

repo="$(cd "$(dirname "$0")" && pwd)"
# The tag docker-compose.yml runs; the sandbox image's tag is SANDBOXD_IMAGE.
CONTROL_IMAGE=sandboxed/sandboxd:latest
SLIM=debian:bookworm-slim
LOCAL_BASE=sandboxed/debian-base:bookworm

offline=false
edge_opt=""
env_opt=""
runtime_opt=""
timeout_s=180
while [ $# -gt 0 ]; do
  case "$1" in
    --offline) offline=true ;;
    --edge) edge_opt="${2:?--edge needs builtin, traefik or none}"; shift ;;
    --edge=*) edge_opt="${1#--edge=}" ;;
    --runtime) runtime_opt="${2:?--runtime needs runc or gvisor}"; shift ;;
    --runtime=*) runtime_opt="${1#--runtime=}" ;;
    --env-file) env_opt="${2:?--env-file needs a path}"; shift ;;
    --env-file=*) env_opt="${1#--env-file=}" ;;
    --timeout) timeout_s="${2:?--timeout needs seconds}"; shift ;;
    --timeout=*) timeout_s="${1#--timeout=}" ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$edge_opt" in ""|builtin|traefik|none) ;; *) echo "--edge must be builtin, traefik or none" >&2; exit 2 ;; esac
case "$timeout_s" in ''|*[!0-9]*) echo "--timeout must be a number of seconds" >&2; exit 2 ;; esac
case "$runtime_opt" in ""|runc|gvisor) ;; *) echo "--runtime must be runc or gvisor" >&2; exit 2 ;; esac

start=$(date +%s)
step() { printf '\n==> %s (%d s)\n' "$*" "$(( $(date +%s) - start ))"; }
die() { printf '\ninstall.sh: %s\n' "$*" >&2; exit 1; }

# --- Docker and Compose -----------------------------------------------------
step "checking Docker and Compose"
command -v docker >/dev/null 2>&1 ||
  die "the docker command is missing. Install Docker Engine 20.10 or newer:
  Debian/Ubuntu: sudo apt-get install -y docker.io   (or https://docs.docker.com/engine/install/)"
server="$(docker version --format '{{.Server.Version}}' 2>/dev/null)" ||
  die "Docker does not answer (docker version failed). Start the engine (sudo systemctl start docker)
  and make sure this user may use /var/run/docker.sock (run as root, or join the docker group)."
major="${server%%.*}"; minor="${server#*.}"; minor="${minor%%.*}"
case "$major$minor" in *[!0-9]*|'') die "cannot read the Docker version from \"$server\"" ;; esac
if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 10 ]; }; then
  die "Docker $server is too old: sandboxed needs 20.10 or newer"
fi
echo "docker engine $server"

compose_cmd=()
if docker compose version >/dev/null 2>&1; then
  compose_cmd=(docker compose)
  echo "compose: docker compose $(docker compose version --short 2>/dev/null || true)"
elif command -v docker-compose >/dev/null 2>&1; then
  v="$(docker-compose version --short 2>/dev/null || echo 0)"
  v1="${v%%.*}"; v2="${v#*.}"; v2="${v2%%.*}"
  if [ "${v1:-0}" -eq 1 ] && [ "${v2:-0}" -lt 28 ] 2>/dev/null; then
    die "docker-compose $v is too old (profiles need 1.28 or newer). Install the Compose plugin
  (https://docs.docker.com/compose/install/linux/) or Debian's docker-compose 1.29 (sudo apt-get install -y docker-compose)"
  fi
  compose_cmd=(docker-compose)
  echo "compose: docker-compose $v"
else
  die "Docker Compose is missing. Install one of:
  the Compose plugin:        sudo apt-get install -y docker-compose-plugin   (Docker's apt repository)
  Debian's docker-compose:   sudo apt-get install -y docker-compose"
fi

# --- settings -----------------------------------------------------------------
# shellcheck source=scripts/lib/settings.sh
. "$repo/scripts/lib/settings.sh"

registry_checked=false
registry_ok=false
# Whether the registry answers; pulls the base image on the way (the build needs it).
registry_answers() {
  if ! $registry_checked; then
    registry_checked=true
    if ! $offline && timeout 120 docker pull -q "$SLIM" >/dev/null 2>&1; then registry_ok=true; fi
  fi
  $registry_ok
}

if [ ! -f "$env_file" ]; then
  step "writing $env_file from .env.example"
  edge="${edge_opt:-${SANDBOXED_EDGE:-}}"
  if [ -z "$edge" ]; then
    if registry_answers; then edge=traefik; else edge=builtin; fi
  fi
  mkdir -p "$(dirname "$env_file")"
  tmp="$(mktemp "$env_file.XXXXXX")"
  # Tokens may end up in this file: only its owner reads it.
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
  echo "SANDBOXED_EDGE=$edge, SANDBOXED_DATA_DIR=$(setting SANDBOXED_DATA_DIR); edit the file and run ./install.sh again to change settings"
else
  echo "using $env_file (kept as is)"
  ignored=()
  while IFS= read -r name; do
    [ "$name" = SANDBOXED_EXTRA_CA_CERTS ] && continue
    if [ -n "${!name:-}" ] && [ "${!name}" != "$(setting "$name")" ]; then ignored+=("$name"); fi
  done < <(sed -n 's/^\([A-Z][A-Z0-9_]*\)=.*/\1/p' "$repo/.env.example")
  if [ ${#ignored[@]} -gt 0 ]; then
    echo "note: the environment sets ${ignored[*]}, but $env_file decides; edit it to change them"
  fi
fi

edge="$(setting SANDBOXED_EDGE)"; edge="${edge:-builtin}"
[ -z "$edge_opt" ] || [ "$edge_opt" = "$edge" ] ||
  echo "note: --edge $edge_opt ignored: $env_file says SANDBOXED_EDGE=$edge"
data_dir="$(setting SANDBOXED_DATA_DIR)"; data_dir="${data_dir:-/var/lib/sandboxed}"
case "$data_dir" in
  /*) ;;
  *) die "SANDBOXED_DATA_DIR=$data_dir must be an absolute path (it is mounted at the same path in the container)" ;;
esac
extra_ca="${SANDBOXED_EXTRA_CA_CERTS:-$(setting SANDBOXED_EXTRA_CA_CERTS)}"
if [ -n "$extra_ca" ]; then
  case "$extra_ca" in /*) ;; *) extra_ca="$PWD/$extra_ca" ;; esac
  if [ ! -r "$extra_ca" ] || ! grep -q -- '-----BEGIN CERTIFICATE-----' "$extra_ca"; then
    die "SANDBOXED_EXTRA_CA_CERTS=$extra_ca is not a readable PEM file with a certificate"
  fi
fi

# docker-compose.yml interpolates these; they come from the settings file (the
# extra CA may also come from the environment), never from a stray shell variable.
SANDBOXED_ENV_FILE="$env_file"
SANDBOXED_DATA_DIR="$data_dir"
SANDBOXED_EXTRA_CA_CERTS="$extra_ca"
SANDBOXED_INSTANCE="$(setting SANDBOXED_INSTANCE)"
DOCKER_SOCKET="$(setting DOCKER_SOCKET)"
PREVIEW_ENTRYPOINT="$(setting PREVIEW_ENTRYPOINT)"
COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-sandboxed}"
export SANDBOXED_ENV_FILE SANDBOXED_DATA_DIR SANDBOXED_EXTRA_CA_CERTS SANDBOXED_INSTANCE DOCKER_SOCKET \
  PREVIEW_ENTRYPOINT COMPOSE_PROJECT_NAME
# images/build.sh tags the sandbox image the daemon will run.
SANDBOXD_IMAGE="$(setting SANDBOXD_IMAGE)"
if [ -n "$SANDBOXD_IMAGE" ]; then export SANDBOXD_IMAGE; else unset SANDBOXD_IMAGE; fi
# Like compose's own default: docker-compose.override.yml, when present, adds to the stack.
compose_files=(-f "$repo/docker-compose.yml")
[ ! -f "$repo/docker-compose.override.yml" ] || compose_files+=(-f "$repo/docker-compose.override.yml")
compose() { "${compose_cmd[@]}" --env-file "$env_file" "${compose_files[@]}" -p "$COMPOSE_PROJECT_NAME" "$@"; }

# --- images -------------------------------------------------------------------
if [ "$edge" = traefik ]; then
  # The pinned tag in docker-compose.yml; checked before the long builds.
  traefik_image="$(sed -n 's/^ *image: *\(traefik:[^ ]*\) *$/\1/p' "$repo/docker-compose.yml" | head -n 1)"
  step "Traefik image $traefik_image"
  if ! docker image inspect "$traefik_image" >/dev/null 2>&1 && ! docker pull "$traefik_image"; then
    die "cannot pull $traefik_image. Without a registry, use the built-in edge:
  set SANDBOXED_EDGE=builtin in $env_file and run ./install.sh again"
  fi
fi

if $offline; then
  base="$LOCAL_BASE"
elif registry_answers || docker image inspect "$SLIM" >/dev/null 2>&1; then
  base="$SLIM"
else
  echo "the registry does not answer: building offline from the local Debian base"
  offline=true
  base="$LOCAL_BASE"
fi

step "sandbox image (images/build.sh, base $base)"
if [ "$base" = "$LOCAL_BASE" ]; then
  bash "$repo/images/build.sh" --offline
else
  bash "$repo/images/build.sh" --base "$base"
fi

# --- runtime (gVisor) ---------------------------------------------------------------
if [ -n "$runtime_opt" ]; then
  step "default runtime $runtime_opt"
  SANDBOXD_GVISOR_RUNTIME="$(setting SANDBOXD_GVISOR_RUNTIME)"
  # shellcheck source=scripts/lib/gvisor.sh
  . "$repo/scripts/lib/gvisor.sh"
  if [ "$runtime_opt" = gvisor ]; then
    gvisor_setup "${SANDBOXD_IMAGE:-sandboxed/sandbox:latest}" ||
      die "gVisor does not run here (see above); ./install.sh without --runtime keeps runc"
  fi
  gvisor_set_default "$env_file" "$runtime_opt"
fi

step "control-plane image $CONTROL_IMAGE"
# The build context is the repository; the CA travels in it (images/sandboxd/Dockerfile).
ca_copy="$repo/images/sandboxd/extra-ca.pem"
if [ -n "$extra_ca" ]; then
  cmp -s "$extra_ca" "$ca_copy" 2>/dev/null || { cp "$extra_ca" "$ca_copy"; chmod 0644 "$ca_copy"; }
else
  rm -f "$ca_copy"
fi
docker build -f "$repo/images/sandboxd/Dockerfile" --build-arg "BASE_IMAGE=$base" -t "$CONTROL_IMAGE" "$repo"

# --- start --------------------------------------------------------------------
step "starting the stack (project $COMPOSE_PROJECT_NAME, edge $edge)"
if [ "$edge" = traefik ]; then
  compose --profile traefik up -d --no-build
else
  # A Traefik left from an earlier SANDBOXED_EDGE=traefik would hold the ports.
  compose --profile traefik rm -f -s traefik >/dev/null 2>&1 || true
  compose up -d --no-build sandboxd
fi

# --- ready? ---------------------------------------------------------------------
bind="$(setting SANDBOXED_API_BIND)"; bind="${bind:-127.0.0.1:9090}"
api_port="${bind##*:}"
api_host="${bind%:*}"; api_host="${api_host#[}"; api_host="${api_host%]}"
case "$api_host" in
  0.0.0.0|'') api_host=127.0.0.1 ;;
  ::) api_host='[::1]' ;;
  *:*) api_host="[$api_host]" ;;
esac
api_url="http://$api_host:$api_port"

# Prints the HTTP status of a GET (000 when nothing answers).
http_status() {
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" 2>/dev/null || echo 000
  else
    local rest="${1#http://}" hostport path host port line
    hostport="${rest%%/*}"; path="/${rest#*/}"
    host="${hostport%:*}"; port="${hostport##*:}"; host="${host#[}"; host="${host%]}"
    if exec 3<>"/dev/tcp/$host/$port" 2>/dev/null; then
      printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$hostport" >&3
      IFS=' ' read -r -t 5 _ line _ <&3 || line=000
      exec 3>&-
      echo "${line:-000}"
    else
      echo 000
    fi
  fi
}

step "waiting for sandboxd at $api_url/readyz (up to $timeout_s s)"
cid="$(compose ps -q sandboxd)"
restarts0="$(docker inspect -f '{{.RestartCount}}' "$cid" 2>/dev/null || echo 0)"
waited=0
ready=false
while [ "$waited" -lt "$timeout_s" ]; do
  if [ "$(http_status "$api_url/readyz")" = 200 ]; then ready=true; break; fi
  # A daemon that exits at start (a bad setting) restarts in a loop: stop waiting.
  state="$(docker inspect -f '{{.State.Status}} {{.RestartCount}}' "$cid" 2>/dev/null || echo "missing 0")"
  case "${state% *}" in restarting|exited|dead|missing) break ;; esac
  [ "${state#* }" = "$restarts0" ] || break
  sleep 1
  waited=$((waited + 1))
  if [ $((waited % 10)) -eq 0 ]; then printf ' %ds' "$waited"; else printf '.'; fi
done
echo
if ! $ready; then
  echo "sandboxd is not ready (container: ${state:-unknown}); its last log lines:" >&2
  compose logs --tail 40 sandboxd >&2 || true
  die "sandboxd did not become ready. Fix the cause above (settings: $env_file), then run ./install.sh again"
fi

# --- done -----------------------------------------------------------------------
http_port="$(setting HTTP_PORT)"; http_port="${http_port:-80}"
domain="$(setting PREVIEW_DOMAIN)"; domain="${domain:-localhost}"
tls="$(setting PREVIEW_TLS)"
case "$tls" in true|1|yes|on) scheme=https; suffix="" ;; *) scheme=http; suffix=":$http_port"; [ "$http_port" != 80 ] || suffix="" ;; esac
auth_header=""
[ -z "$(setting SANDBOXD_API_TOKENS)" ] || auth_header=" -H 'authorization: Bearer <secret>'"
compose_hint="${compose_cmd[*]} -p $COMPOSE_PROJECT_NAME"
uninstall_hint="./uninstall.sh"
[ "$COMPOSE_PROJECT_NAME" = sandboxed ] || uninstall_hint="COMPOSE_PROJECT_NAME=$COMPOSE_PROJECT_NAME $uninstall_hint"
if [ "$env_file" != "$repo/.env" ]; then
  compose_hint="$compose_hint --env-file $env_file"
  uninstall_hint="$uninstall_hint --env-file $env_file"
fi

cat <<EOF

sandboxed is ready ($(( $(date +%s) - start )) s): edge $edge, data in $data_dir, settings in $env_file

  API        $api_url
  try it     curl -s -X POST $api_url/v1/sandboxes$auth_header -H 'content-type: application/json' -d '{"id":"demo","ports":[3000]}'
EOF
if [ "$edge" != none ]; then
  echo "  previews   $scheme://s-<id>-<port>.preview.$domain$suffix/   (e.g. $scheme://s-demo-3000.preview.$domain$suffix/)"
fi
cat <<EOF
  logs       cd $repo && $compose_hint logs -f sandboxd
  uninstall  $uninstall_hint   (keeps the data; --help for more)
EOF
