#!/usr/bin/env bash
# Installs, upgrades or repairs sandboxed on this host with Docker Compose:
# makes Docker and Compose usable (offers to install or start them), checks
# disk, memory and ports, writes the settings file once (with an API token),
# finds the host's extra CAs, builds the images, starts the stack and waits
# until sandboxd is ready. Run it again at any time: it rebuilds, restarts what
# changed (sandboxd migrates its database at start) and keeps every sandbox,
# workspace, setting and token.
#
# Usage: ./install.sh [--yes] [--offline] [--edge builtin|traefik|none] [--runtime runc|gvisor]
#                     [--no-auth] [--env-file FILE] [--timeout SECONDS]
#        ./install.sh --check   (or: ./install.sh doctor)
#   --yes            install or start Docker and Compose when missing without asking
#   --offline        no container registry: build on a local Debian base made with
#                    debootstrap (images/debian-base.sh); picked by itself when
#                    the registry does not answer
#   --edge MODE      SANDBOXED_EDGE for a new settings file (default: traefik when
#                    the registry answers, builtin otherwise)
#   --runtime R      the default runtime of new sandboxes (SANDBOXD_DEFAULT_RUNTIME in
#                    the settings file); gvisor also installs the distribution's runsc
#                    package and registers it with Docker (scripts/lib/gvisor.sh)
#   --no-auth        a new settings file gets no API token (the API is open to
#                    anyone on this host)
#   --env-file FILE  the settings file (default: $SANDBOXED_ENV_FILE, else ./.env),
#                    created from .env.example when missing and never overwritten
#   --timeout S      how long to wait for sandboxd to become ready (default 180)
#   --check          report Docker, Compose, CA, ports, disk, readiness, isolation,
#                    workspace disks and images as a table; exit 0 only when healthy
# Env: variables of .env.example seed a new settings file (e.g. HTTP_PORT=8080);
#      COMPOSE_PROJECT_NAME names the stack (default sandboxed).
# The tools' output goes to install.log beside the settings file.
set -euo pipefail

repo="$(cd "$(dirname "$0")" && pwd)"
# The tag docker-compose.yml runs; the sandbox image's tag is SANDBOXD_IMAGE.
CONTROL_IMAGE=sandboxed/sandboxd:latest
SLIM=debian:bookworm-slim
LOCAL_BASE=sandboxed/debian-base:bookworm

offline=false yes=false no_auth=false check=false
edge_opt="" env_opt="" runtime_opt="" timeout_s=180
while [ $# -gt 0 ]; do
  case "$1" in
    --offline) offline=true ;;
    --yes|-y) yes=true ;;
    --no-auth) no_auth=true ;;
    --check|doctor) check=true ;;
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

# shellcheck source=scripts/lib/settings.sh
. "$repo/scripts/lib/settings.sh"
# shellcheck source=scripts/lib/ui.sh
. "$repo/scripts/lib/ui.sh"
# shellcheck source=scripts/lib/docker-setup.sh
. "$repo/scripts/lib/docker-setup.sh"
# shellcheck source=scripts/lib/ca.sh
. "$repo/scripts/lib/ca.sh"
# shellcheck source=scripts/lib/preflight.sh
. "$repo/scripts/lib/preflight.sh"
# shellcheck source=scripts/lib/check.sh
. "$repo/scripts/lib/check.sh"
# shellcheck source=scripts/lib/install-settings.sh
. "$repo/scripts/lib/install-settings.sh"
# shellcheck source=scripts/lib/install-finish.sh
. "$repo/scripts/lib/install-finish.sh"
log_file="$(dirname "$env_file")/install.log"
COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-sandboxed}"

# Running containers of this installation's stack (all services, or one).
compose_ids() { # [service]
  docker ps -q --no-trunc --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" \
    ${1:+--filter "label=com.docker.compose.service=$1"} 2>/dev/null || true
}

# "port:setting" for every port the stack binds with its edge.
stack_ports() {
  local edge="${1:-$(value_of SANDBOXED_EDGE)}"
  echo "$(value_of SANDBOXED_API_BIND | sed 's/.*://'):SANDBOXED_API_BIND"
  case "$edge" in
    builtin) echo "$(value_of HTTP_PORT):HTTP_PORT" ;;
    traefik)
      sed -n 's/^ *address: *"\{0,1\}[^:"]*:\([0-9]*\)"\{0,1\} *$/\1/p' "$repo/traefik/traefik.yml" | sed 's/$/:Traefik (traefik\/traefik.yml)/'
      echo "$(value_of SANDBOXED_EDGE_INTERNAL_PORT):SANDBOXED_EDGE_INTERNAL_PORT" ;;
  esac
}

# --- Docker and Compose -----------------------------------------------------
ensure_docker_and_compose() {
  docker_plan
  [ ${#plan_why[@]} -gt 0 ] || return 0
  printf '    %s\n' "${plan_why[@]}"
  [ ${#plan[@]} -gt 0 ] || die "fix the above, then run ./install.sh again"
  local can_sudo=true
  [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null 2>&1 || can_sudo=false
  if ! $plan_auto || ! $can_sudo; then
    echo "    Run these commands as root, then ./install.sh again:"
    print_plan
    die "Docker and Compose are needed"
  fi
  echo "    install.sh can run these for you:"
  print_plan
  if ! $yes; then
    [ -t 0 ] || die "not at a terminal, so not asking: nothing was changed. Run ./install.sh --yes to let it run them, or run them yourself, then ./install.sh again"
    local answer
    read -r -p "    Run them now? [y/N] " answer
    case "$answer" in y|Y|yes|YES) ;; *) die "nothing was changed. Run the commands above, then ./install.sh again" ;; esac
  fi
  docker_apply run_logged || die "the Docker engine did not start (see $log_file)"
  docker_plan
  [ ${#plan_why[@]} -eq 0 ] || die "still: ${plan_why[*]}"
}

pick_compose() {
  compose_cmd=() compose_version=""
  if timeout 20 docker compose version >/dev/null 2>&1; then
    compose_cmd=(docker compose)
    compose_version="$(docker compose version --short 2>/dev/null || true)"
  elif command -v docker-compose >/dev/null 2>&1; then
    compose_cmd=(docker-compose)
    compose_version="$(docker-compose version --short 2>/dev/null || echo 0)"
  fi
}

if $check; then
  pick_compose
  compose_hint="${compose_cmd[*]:-docker compose} -p $COMPOSE_PROJECT_NAME ps"
  run_check
  exit $?
fi

stage "Docker and Compose"
ensure_docker_and_compose
server="$(docker_server_version)"
major="${server%%.*}"; minor="${server#*.}"; minor="${minor%%.*}"
case "$major$minor" in *[!0-9]*|'') die "cannot read the Docker version from \"$server\"" ;; esac
if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 10 ]; }; then
  die "Docker $server is too old: sandboxed needs 20.10 or newer"
fi
pick_compose
if [ "${compose_cmd[0]}" = docker-compose ]; then
  v1="${compose_version%%.*}"; v2="${compose_version#*.}"; v2="${v2%%.*}"
  if [ "${v1:-0}" -eq 1 ] && [ "${v2:-0}" -lt 28 ] 2>/dev/null; then
    die "docker-compose $compose_version is too old (profiles need 1.28 or newer): install the Compose plugin or Debian's docker-compose 1.29"
  fi
fi
note "engine $server, ${compose_cmd[*]} $compose_version"

# --- preflight: nothing has changed yet ----------------------------------------
registry_checked=false registry_ok=false
# Whether the registry answers; pulls the base image on the way (the build needs it).
registry_answers() {
  if ! $registry_checked; then
    registry_checked=true
    if ! $offline && timeout 120 docker pull -q "$SLIM" >/dev/null 2>&1; then registry_ok=true; fi
  fi
  $registry_ok
}

stage "preflight: disk, memory, ports"
if [ -f "$env_file" ]; then
  edge="$(value_of SANDBOXED_EDGE)"
else
  edge="${edge_opt:-${SANDBOXED_EDGE:-}}"
  if [ -z "$edge" ]; then if registry_answers; then edge=traefik; else edge=builtin; fi; fi
fi
data_dir="$(value_of SANDBOXED_DATA_DIR)"
case "$data_dir" in
  /*) ;;
  *) die "SANDBOXED_DATA_DIR=$data_dir must be an absolute path (it is mounted at the same path in the container)" ;;
esac
check_disk "$(value_of SANDBOXD_IMAGE)" "$data_dir" "$(value_of SANDBOXD_DISK_RESERVE_MB)"
check_memory
mapfile -t port_specs < <(stack_ports "$edge")
mapfile -t our_ids < <(compose_ids)
check_ports "${port_specs[@]}" -- ${our_ids[@]+"${our_ids[@]}"}
problems=(${disk_problems[@]+"${disk_problems[@]}"} ${port_problems[@]+"${port_problems[@]}"})
[ -z "$memory_problem" ] || problems+=("$memory_problem")
if [ ${#problems[@]} -gt 0 ]; then
  printf '    %s\n' "${problems[@]}" >&2
  die "preflight failed: nothing was changed. Fix the above, then run ./install.sh again"
fi
note "$disk_report; memory: $memory_report; ports: $port_report"

# --- settings -------------------------------------------------------------------
prepare_settings "$edge"

# --- images -------------------------------------------------------------------
if [ "$edge" = traefik ]; then
  # The pinned tag in docker-compose.yml; checked before the long builds.
  traefik_image="$(sed -n 's/^ *image: *\(traefik:[^ ]*\) *$/\1/p' "$repo/docker-compose.yml" | head -n 1)"
  stage "Traefik image $traefik_image"
  if ! docker image inspect "$traefik_image" >/dev/null 2>&1; then
    run_logged "pulling $traefik_image" docker pull "$traefik_image"
  fi
fi

if $offline; then
  base="$LOCAL_BASE"
elif registry_answers || docker image inspect "$SLIM" >/dev/null 2>&1; then
  base="$SLIM"
else
  note "the registry does not answer: building offline from the local Debian base"
  offline=true
  base="$LOCAL_BASE"
fi

if [ "$base" = "$LOCAL_BASE" ] && ! docker image inspect "$LOCAL_BASE" >/dev/null 2>&1; then
  stage "Debian base $LOCAL_BASE (debootstrap from this host's mirror)"
  run_logged "Debian base" bash "$repo/images/debian-base.sh"
fi

# Node first (both images use the same stage), then both images at once: their
# downloads and compiles overlap (minutes on 2 cores).
stage "images $(value_of SANDBOXD_IMAGE) and $CONTROL_IMAGE (base $base)"
# The build context is the repository; the CA travels in it (images/sandboxd/Dockerfile).
ca_copy="$repo/images/sandboxd/extra-ca.pem"
if [ -n "$extra_ca" ]; then
  cmp -s "$extra_ca" "$ca_copy" 2>/dev/null || { cp "$extra_ca" "$ca_copy"; chmod 0644 "$ca_copy"; }
else
  rm -f "$ca_copy"
fi
run_logged "Node (both images)" bash "$repo/images/build.sh" --base "$base" --stage node
start_background "control-plane image" docker build -f "$repo/images/sandboxd/Dockerfile" --build-arg "BASE_IMAGE=$base" -t "$CONTROL_IMAGE" "$repo"
run_logged "sandbox image" bash "$repo/images/build.sh" --base "$base"
finish_background

# --- runtime (gVisor) -----------------------------------------------------------
# After the images: registering gVisor is proven by starting the sandbox image under it.
if [ -n "$runtime_opt" ]; then
  stage "default runtime $runtime_opt"
  SANDBOXD_GVISOR_RUNTIME="$(value_of SANDBOXD_GVISOR_RUNTIME)"
  # shellcheck source=scripts/lib/gvisor.sh
  . "$repo/scripts/lib/gvisor.sh"
  if [ "$runtime_opt" = gvisor ]; then
    gvisor_setup "$(value_of SANDBOXD_IMAGE)" >>"$log_file" 2>&1 ||
      die "gVisor does not run here (see $log_file); ./install.sh without --runtime keeps runc"
  fi
  set_setting SANDBOXD_DEFAULT_RUNTIME "$runtime_opt"
fi

# --- start --------------------------------------------------------------------
stage "starting the stack (project $COMPOSE_PROJECT_NAME, edge $edge)"
if [ "$edge" = traefik ]; then
  run_logged "compose up" compose --profile traefik up -d --no-build
else
  # A Traefik left from an earlier SANDBOXED_EDGE=traefik would hold the ports.
  compose --profile traefik rm -f -s traefik >>"$log_file" 2>&1 || true
  run_logged "compose up" compose up -d --no-build sandboxd
fi

# --- ready? -------------------------------------------------------------------
api_url="$(api_url_of "$(value_of SANDBOXED_API_BIND)")"
wait_ready "$api_url"
print_summary "$api_url"
