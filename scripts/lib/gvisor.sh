# shellcheck shell=bash
# gVisor (runsc) as a Docker runtime for sandboxes. install.sh --runtime gvisor
# and .ci/run source this; alone it runs as
#   bash scripts/lib/gvisor.sh setup [IMAGE]   install, register, prove
#   bash scripts/lib/gvisor.sh check [IMAGE]   report, exit 1 unless usable
#
# gvisor_setup installs the distribution's runsc package when it is missing,
# registers it in Docker's daemon.json (merged with what is there; the old file
# is kept as daemon.json.bak-<time>), reloads Docker (systemctl reload, or
# SIGHUP to dockerd: running containers keep running) and proves it with a
# container of the sandbox image on a bridge network. runsc's own network stack
# refuses to start on some hosts ("cannot run with network enabled in root
# network namespace"); there the runtime gets --network=host, so gVisor uses
# the network namespace Docker made for the container and the bridge and the
# isolation rules apply unchanged.
#
# Env: SANDBOXD_GVISOR_RUNTIME (Docker's name for it, default runsc),
#      DOCKER_DAEMON_JSON (default /etc/docker/daemon.json).

gvisor_name="${SANDBOXD_GVISOR_RUNTIME:-runsc}"
gvisor_daemon_json="${DOCKER_DAEMON_JSON:-/etc/docker/daemon.json}"
gvisor_sudo=""
[ "$(id -u)" -eq 0 ] || gvisor_sudo="sudo"

gvisor_say() { printf 'gvisor: %s\n' "$*"; }

# The runtime's entry in `docker info` (JSON), or nothing when Docker lacks it.
gvisor_entry() {
  docker info --format "{{json .Runtimes}}" 2>/dev/null | gvisor_json_get "$gvisor_name" || true
}

# Reads one key of the JSON object on stdin (prints it as JSON; nothing when absent).
gvisor_json_get() { # key
  if command -v jq >/dev/null 2>&1; then
    jq -c --arg k "$1" '.[$k] // empty'
  else
    python3 -c 'import json,sys; v=json.load(sys.stdin).get(sys.argv[1]); print(json.dumps(v, separators=(",", ":")) if v is not None else "")' "$1"
  fi
}

gvisor_install_package() {
  command -v runsc >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 ||
    { echo "gvisor: runsc is missing and this host has no apt-get: install gVisor's runsc (https://gvisor.dev/docs/user_guide/install/)" >&2; return 1; }
  gvisor_say "installing the distribution's runsc package"
  $gvisor_sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $gvisor_sudo apt-get install -y -qq runsc >/dev/null
}

# Writes daemon.json with our runtime set (merged; a backup of the old file kept).
gvisor_register() { # runtimeArg...
  local bin args tmp
  bin="$(command -v runsc)"
  args="$(printf '%s\n' "$@" | awk 'NF { printf "%s\"%s\"", (n++ ? "," : ""), $0 }')"
  tmp="$(mktemp)"
  if [ -s "$gvisor_daemon_json" ]; then
    $gvisor_sudo cp -p "$gvisor_daemon_json" "$gvisor_daemon_json.bak-$(date +%Y%m%d%H%M%S)"
    $gvisor_sudo cat "$gvisor_daemon_json" >"$tmp.old"
  else
    echo '{}' >"$tmp.old"
  fi
  if command -v jq >/dev/null 2>&1; then
    jq --arg n "$gvisor_name" --arg p "$bin" --argjson a "[$args]" \
      '.runtimes[$n] = ({path: $p} + (if ($a | length) > 0 then {runtimeArgs: $a} else {} end))' "$tmp.old" >"$tmp"
  else
    python3 - "$tmp.old" "$gvisor_name" "$bin" "[$args]" >"$tmp" <<'PY'
import json, sys
conf = json.load(open(sys.argv[1]))
entry = {"path": sys.argv[3]}
if json.loads(sys.argv[4]): entry["runtimeArgs"] = json.loads(sys.argv[4])
conf.setdefault("runtimes", {})[sys.argv[2]] = entry
print(json.dumps(conf, indent=2))
PY
  fi
  $gvisor_sudo mkdir -p "$(dirname "$gvisor_daemon_json")"
  $gvisor_sudo install -m 0644 "$tmp" "$gvisor_daemon_json"
  rm -f "$tmp" "$tmp.old"
}

# Makes Docker read daemon.json again without restarting containers, then waits until it shows `want`.
gvisor_reload() { # want (the runtime's entry as docker info prints it)
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker 2>/dev/null; then
    $gvisor_sudo systemctl reload docker
  else
    local pid
    pid="$(pidof dockerd)" || { echo "gvisor: no dockerd process to reload" >&2; return 1; }
    $gvisor_sudo kill -HUP $pid
  fi
  local i
  for i in $(seq 1 30); do
    [ "$(gvisor_entry)" = "$1" ] && return 0
    sleep 1
  done
  echo "gvisor: Docker did not pick up $gvisor_daemon_json within 30 s (see dockerd's log)" >&2
  return 1
}

# Runs the sandbox image under the runtime on Docker's default bridge. Sets gvisor_error on failure.
gvisor_probe() { # image
  local id
  gvisor_error=""
  id="$(docker create --runtime "$gvisor_name" --network bridge "$1" true 2>&1)" || { gvisor_error="$id"; return 1; }
  if ! gvisor_error="$(docker start -a "$id" 2>&1)"; then
    docker rm -f "$id" >/dev/null 2>&1
    # A start that failed inside runsc leaves its sandbox behind (Docker's runc root).
    $gvisor_sudo runsc --root /var/run/docker/runtime-runc/moby delete -force "$id" >/dev/null 2>&1 || true
    return 1
  fi
  docker rm -f "$id" >/dev/null 2>&1
  gvisor_error=""
}

gvisor_setup() { # image
  local image="$1" entry
  gvisor_install_package || return 1
  entry="$(gvisor_entry)"
  if [ -n "$entry" ] && gvisor_probe "$image"; then
    gvisor_say "Docker runtime $gvisor_name is registered and runs the sandbox image ($entry)"
    return 0
  fi
  if [ -z "$entry" ]; then
    gvisor_say "registering runtime $gvisor_name in $gvisor_daemon_json"
    gvisor_register
    gvisor_reload "{\"path\":\"$(command -v runsc)\"}" || return 1
    if gvisor_probe "$image"; then gvisor_say "runtime $gvisor_name works"; return 0; fi
  fi
  case "$gvisor_error" in
    *network*)
      gvisor_say "runsc's own network stack does not start here; using the container's network namespace (--network=host)"
      gvisor_register --network=host
      gvisor_reload "{\"path\":\"$(command -v runsc)\",\"runtimeArgs\":[\"--network=host\"]}" || return 1
      gvisor_probe "$image" && { gvisor_say "runtime $gvisor_name works with --network=host"; return 0; } ;;
  esac
  echo "gvisor: a container of $image does not start under $gvisor_name: $gvisor_error" >&2
  return 1
}

# Sets SANDBOXD_DEFAULT_RUNTIME in the settings file (the line replaced in place, or added).
gvisor_set_default() { # env-file runtime
  if grep -qE '^[[:space:]]*SANDBOXD_DEFAULT_RUNTIME=' "$1"; then
    sed -i -E "s/^[[:space:]]*SANDBOXD_DEFAULT_RUNTIME=.*/SANDBOXD_DEFAULT_RUNTIME=$2/" "$1"
  else
    printf 'SANDBOXD_DEFAULT_RUNTIME=%s\n' "$2" >>"$1"
  fi
}

# For install.sh --check: one row (uses check.sh's row() when loaded).
gvisor_check() { # image default-runtime
  declare -F row >/dev/null || row() { printf '  %-10s %-4s  %s\n' "$2" "$1" "$3"; [ "$1" != FAIL ]; }
  local entry default="${2:-runc}"
  entry="$(gvisor_entry)"
  if [ -z "$entry" ]; then
    if [ "$default" = gvisor ]; then row FAIL runtime "SANDBOXD_DEFAULT_RUNTIME=gvisor but Docker has no runtime $gvisor_name: ./install.sh --runtime gvisor"
    else row ok runtime "runc (gVisor not registered; ./install.sh --runtime gvisor adds it)"; fi
    return
  fi
  if gvisor_probe "$1"; then
    row ok runtime "default $default; gVisor: $gvisor_name $(runsc --version 2>/dev/null | head -n 1 | awk '{print $3}') runs the sandbox image ($entry)"
  else
    row FAIL runtime "Docker has $gvisor_name ($entry), but the sandbox image does not start under it: $gvisor_error"
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    setup) gvisor_setup "${2:-${SANDBOXD_IMAGE:-sandboxed/sandbox:latest}}" ;;
    check) gvisor_check "${2:-${SANDBOXD_IMAGE:-sandboxed/sandbox:latest}}" "${SANDBOXD_DEFAULT_RUNTIME:-runc}" ;;
    *) echo "usage: bash $0 setup|check [IMAGE]" >&2; exit 2 ;;
  esac
fi
