#!/usr/bin/env bash
# Removes sandboxed from this host. By default it stops the stack and removes
# the sandbox containers and the sandbox network of this installation's
# instance (SANDBOXED_INSTANCE), and keeps the data: workspaces, the database
# and the settings file survive, and ./install.sh brings everything back.
# It only touches what carries sandboxed's labels or image names.
#
# Usage: ./uninstall.sh [--images] [--data [--yes]] [--all] [--env-file FILE]
#   --images         also remove our images: sandboxed/sandbox, sandboxed/sandboxd,
#                    sandboxed/debian-base (not traefik's, which is shared)
#   --data           also delete SANDBOXED_DATA_DIR (every workspace and the
#                    database); asks first
#   --yes            do not ask
#   --all            --images and --data
#   --env-file FILE  the settings file (default: $SANDBOXED_ENV_FILE, else ./.env)
# Env: COMPOSE_PROJECT_NAME names the stack (default sandboxed).
set -euo pipefail

repo="$(cd "$(dirname "$0")" && pwd)"
OUR_IMAGES=(sandboxed/sandbox sandboxed/sandboxd sandboxed/debian-base)

images=false
data=false
yes=false
env_opt=""
while [ $# -gt 0 ]; do
  case "$1" in
    --images) images=true ;;
    --data) data=true ;;
    --yes|-y) yes=true ;;
    --all) images=true; data=true ;;
    --env-file) env_opt="${2:?--env-file needs a path}"; shift ;;
    --env-file=*) env_opt="${1#--env-file=}" ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

die() { printf 'uninstall.sh: %s\n' "$*" >&2; exit 1; }
docker version >/dev/null 2>&1 || die "Docker does not answer; start it first (sudo systemctl start docker)"

# shellcheck source=scripts/lib/settings.sh
. "$repo/scripts/lib/settings.sh"
[ -f "$env_file" ] || echo "no settings file at $env_file: using the defaults"
instance="$(setting SANDBOXED_INSTANCE)"; instance="${instance:-default}"
data_dir="$(setting SANDBOXED_DATA_DIR)"; data_dir="${data_dir:-/var/lib/sandboxed}"
project="${COMPOSE_PROJECT_NAME:-sandboxed}"

if $data && ! $yes; then
  [ -t 0 ] || die "--data deletes $data_dir for good; confirm with --yes when not at a terminal"
  printf 'Delete %s (every workspace and the database) for good? Type "yes": ' "$data_dir"
  read -r answer
  [ "$answer" = yes ] || die "nothing deleted"
fi

# --- the stack --------------------------------------------------------------------
echo "==> stopping the stack (project $project)"
export SANDBOXED_ENV_FILE="$env_file" SANDBOXED_DATA_DIR="$data_dir" SANDBOXED_INSTANCE="$instance"
compose_cmd=()
if docker compose version >/dev/null 2>&1; then compose_cmd=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then compose_cmd=(docker-compose)
fi
down_ok=false
if [ ${#compose_cmd[@]} -gt 0 ]; then
  env_args=()
  [ ! -f "$env_file" ] || env_args=(--env-file "$env_file")
  # compose refuses to run when the env_file it names is missing; /dev/null stands in.
  [ -f "$env_file" ] || export SANDBOXED_ENV_FILE=/dev/null
  compose_files=(-f "$repo/docker-compose.yml")
  [ ! -f "$repo/docker-compose.override.yml" ] || compose_files+=(-f "$repo/docker-compose.override.yml")
  if "${compose_cmd[@]}" ${env_args[@]+"${env_args[@]}"} "${compose_files[@]}" -p "$project" --profile traefik down --timeout 30; then
    down_ok=true
  fi
fi
if ! $down_ok; then
  # No compose tool (or it failed): the stack's containers by compose's own labels.
  mapfile -t ids < <(docker ps -aq --filter "label=com.docker.compose.project=$project" --filter label=sandboxed.kind=control-plane)
  [ ${#ids[@]} -eq 0 ] || docker rm -f "${ids[@]}" >/dev/null
fi

# --- sandboxes ----------------------------------------------------------------------
echo "==> removing the sandbox containers of instance $instance"
mapfile -t ids < <(docker ps -aq --filter label=sandboxed.managed=true --filter "label=sandboxed.instance=$instance")
if [ ${#ids[@]} -gt 0 ]; then
  docker rm -f "${ids[@]}" >/dev/null
  echo "removed ${#ids[@]} container(s)"
fi
echo "==> releasing the workspace disks of instance $instance (their images stay in $data_dir/disks)"
# Volumes: how each container got its disk (src/docker/spec.ts). Then the daemon's own
# mounts (when it ran on the host) and the loop devices of the images (src/workspaces/disk.ts).
mapfile -t vols < <(docker volume ls -q --filter label=sandboxed.managed=true --filter "label=sandboxed.instance=$instance")
[ ${#vols[@]} -eq 0 ] || docker volume rm "${vols[@]}" >/dev/null || echo "kept some volumes (still in use?)"
if [ -d "$data_dir/workspaces" ] && [ -r /proc/self/mountinfo ]; then
  awk -v d="$data_dir/workspaces/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || echo "could not unmount $m"
  done
fi
if command -v losetup >/dev/null 2>&1 && [ -d "$data_dir/disks" ]; then
  for img in "$data_dir"/disks/*.ext4; do
    [ -e "$img" ] || continue
    for dev in $(losetup --associated "$img" --noheadings --output NAME 2>/dev/null); do losetup --detach "$dev" 2>/dev/null || true; done
  done
fi
echo "==> removing the sandbox network of instance $instance"
mapfile -t nets < <(docker network ls -q --filter label=sandboxed.managed=true --filter label=sandboxed.kind=sandbox-network \
  --filter "label=sandboxed.instance=$instance")
# The isolation chains sandboxd installed for the network (src/network/isolation.ts):
# SBX-F-<id12> jumped to from DOCKER-USER, SBX-I-<id12> from INPUT, SBX-N-<id12> from the nat
# table's PREROUTING (the egress proxy's redirect), all on its bridge.
remove_isolation() { # full network id
  command -v iptables >/dev/null 2>&1 || return 0
  local id12=${1:0:12} bridge
  bridge=$(docker network inspect -f '{{index .Options "com.docker.network.bridge.name"}}' "$1" 2>/dev/null || true)
  [ -n "$bridge" ] || bridge="br-$id12"
  for triple in "filter DOCKER-USER SBX-F-$id12" "filter INPUT SBX-I-$id12" "nat PREROUTING SBX-N-$id12"; do
    set -- $triple
    iptables -w 5 -t "$1" -D "$2" -i "$bridge" -j "$3" 2>/dev/null || true
    iptables -w 5 -t "$1" -F "$3" 2>/dev/null || true
    iptables -w 5 -t "$1" -X "$3" 2>/dev/null || true
  done
}
for net in ${nets[@]+"${nets[@]}"}; do
  full=$(docker network inspect -f '{{.Id}}' "$net")
  if docker network rm "$net" >/dev/null; then
    remove_isolation "$full"
  else
    echo "kept network $net (another daemon's containers still use it)"
  fi
done

# --- images -------------------------------------------------------------------------
if $images; then
  echo "==> removing our images (${OUR_IMAGES[*]})"
  for repo_name in "${OUR_IMAGES[@]}"; do
    for ref in $(docker image ls --format '{{.Repository}}:{{.Tag}}' "$repo_name" | grep -v ':<none>$' || true); do
      docker image rm "$ref" >/dev/null || echo "kept $ref (still used by a container?)"
    done
  done
fi

# --- data -----------------------------------------------------------------------------
if $data; then
  echo "==> deleting $data_dir"
  case "$data_dir" in
    /*) ;;
    *) die "SANDBOXED_DATA_DIR=$data_dir is not an absolute path; delete it yourself" ;;
  esac
  [ "$(cd "$data_dir" 2>/dev/null && pwd -P || echo "$data_dir")" != / ] || die "refusing to delete /"
  if [ -d "$data_dir" ]; then
    # Only a directory that looks like ours: sandboxd's layout, or empty.
    if [ -n "$(ls -A "$data_dir")" ] && [ ! -d "$data_dir/state" ] && [ ! -d "$data_dir/workspaces" ]; then
      die "$data_dir holds neither state/ nor workspaces/: not deleting what may not be sandboxed's"
    fi
    rm -rf --one-file-system "$data_dir" || die "could not delete all of $data_dir (run as root)"
  fi
  echo "deleted"
else
  echo "kept the data in $data_dir (--data deletes it)"
fi
echo "kept the settings in $env_file"
