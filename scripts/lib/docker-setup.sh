# shellcheck shell=bash
# Makes Docker and Compose usable: what is missing, the exact commands for this
# distribution, and (Debian and Ubuntu, as root or with sudo) doing it after one
# question. Shared by install.sh and scripts/ensure-docker.sh.
#
# docker_plan [--engine-only] fills $plan (commands, as text) and $plan_why;
# docker_apply runs them. SANDBOXED_OS_RELEASE names the os-release file to read
# (default /etc/os-release).

docker_server_version() { timeout 20 docker version --format '{{.Server.Version}}' 2>/dev/null; }

compose_works() {
  timeout 20 docker compose version >/dev/null 2>&1 && return 0
  command -v docker-compose >/dev/null 2>&1 && timeout 20 docker-compose version >/dev/null 2>&1
}

# ID and ID_LIKE of this distribution, lower case (read, not sourced).
read_os_release() {
  local f="${SANDBOXED_OS_RELEASE:-/etc/os-release}"
  os_id="" os_like=""
  [ -r "$f" ] || return 0
  os_id="$(sed -n 's/^ID=//p' "$f" | head -n 1 | tr -d "\"'" | tr 'A-Z' 'a-z')"
  os_like="$(sed -n 's/^ID_LIKE=//p' "$f" | head -n 1 | tr -d "\"'" | tr 'A-Z' 'a-z')"
}

os_family() {
  local w
  for w in $os_id $os_like; do
    case "$w" in
      debian|ubuntu) echo debian; return ;;
      fedora) [ "$os_id" = fedora ] && { echo fedora; return; } ;;
      rhel|centos|rocky|almalinux|ol) echo rhel; return ;;
      alpine) echo alpine; return ;;
      arch|archlinux|manjaro) echo arch; return ;;
      opensuse*|suse|sles) echo suse; return ;;
    esac
  done
  case " $os_like " in *" fedora "*) echo rhel; return ;; esac
  echo unknown
}

# The init system that starts services here: systemd when it runs as PID 1,
# OpenRC, or none (a container, a minimal VM): then dockerd runs in the background.
init_system() {
  if [ -d /run/systemd/system ] && [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then echo systemd
  elif command -v rc-service >/dev/null 2>&1; then echo openrc
  else echo none
  fi
}

# Debian's docker-compose is 1.29 up to bookworm and v2 since trixie; Ubuntu
# ships the v2 plugin as docker-compose-v2 (22.04 and later).
debian_compose_package() {
  if apt-cache show docker-compose-v2 >/dev/null 2>&1; then echo docker-compose-v2
  elif apt-cache show docker-compose >/dev/null 2>&1; then echo docker-compose
  elif [ "$os_id" = ubuntu ]; then echo docker-compose-v2
  else echo docker-compose
  fi
}

# The commands that start an installed engine, for this host's init system.
start_commands() {
  local host="${DOCKER_HOST:-}" opt=""
  case "$host" in
    ''|unix:///var/run/docker.sock|unix:///run/docker.sock) ;;
    unix://*) opt=" --host $host" ;;
  esac
  case "$(init_system)" in
    systemd) plan+=("systemctl enable --now docker") ;;
    openrc) plan+=("rc-update add docker default" "rc-service docker start") ;;
    *) plan+=("setsid nohup dockerd$opt </dev/null >/var/log/dockerd.log 2>&1 &") ;;
  esac
}

# Fills plan (commands) and plan_why (what is missing); plan_auto is true when
# this script may run them itself (Debian family). --engine-only: no Compose.
# shellcheck disable=SC2034 # plan, plan_why and plan_auto are for the caller
docker_plan() {
  local engine_only=false family remote=false
  [ "${1:-}" = --engine-only ] && engine_only=true
  plan=() plan_why=() plan_auto=false
  read_os_release
  family="$(os_family)"
  case "${DOCKER_HOST:-}" in tcp://*|ssh://*|fd://*) remote=true ;; esac

  local have_cli=false have_daemon=false answers=false need_compose=false need_engine=false
  command -v docker >/dev/null 2>&1 && have_cli=true
  command -v dockerd >/dev/null 2>&1 && have_daemon=true
  $have_cli && [ -n "$(docker_server_version)" ] && answers=true
  if ! $engine_only && ! { $have_cli && compose_works; }; then need_compose=true; fi
  if ! $have_cli || { ! $answers && ! $have_daemon && ! $remote; }; then need_engine=true; fi

  if $need_engine; then
    plan_why+=("the Docker engine is not installed")
  elif ! $answers; then
    if timeout 20 docker version 2>&1 >/dev/null | grep -qi 'permission denied'; then
      plan_why+=("this user may not use the Docker socket: run as root, or join the docker group (sudo usermod -aG docker $(id -un), then log in again)")
      return 0
    fi
    if $remote; then
      plan_why+=("the engine at DOCKER_HOST=$DOCKER_HOST does not answer: start it there, or unset DOCKER_HOST")
      return 0
    fi
    plan_why+=("the Docker engine is installed but does not answer${DOCKER_HOST:+ at DOCKER_HOST=$DOCKER_HOST} (stopped?)")
  fi
  $need_compose && plan_why+=("Docker Compose is missing")
  [ ${#plan_why[@]} -gt 0 ] || return 0

  # Per family: the engine's packages, then Compose's.
  local engine="" compose="" install="" pre=()
  case "$family" in
    debian) plan_auto=true; engine=docker.io; compose="$(debian_compose_package)"
      pre=("apt-get update"); install="DEBIAN_FRONTEND=noninteractive apt-get install -y" ;;
    fedora) engine=moby-engine; compose=docker-compose; install="dnf install -y" ;;
    rhel)
      local repo=rhel
      [ "$os_id" = centos ] && repo=centos
      engine="docker-ce docker-ce-cli containerd.io"; compose=docker-compose-plugin; install="dnf install -y"
      $need_engine && pre=("dnf install -y dnf-plugins-core" "dnf config-manager --add-repo https://download.docker.com/linux/$repo/docker-ce.repo") ;;
    alpine) engine=docker; compose=docker-cli-compose; install="apk add" ;;
    arch) engine=docker; compose=docker-compose; install="pacman -Sy --noconfirm" ;;
    suse) engine=docker; compose=docker-compose; install="zypper --non-interactive install" ;;
  esac
  local pkgs=""
  $need_engine && pkgs="$engine"
  $need_compose && pkgs="${pkgs:+$pkgs }$compose"
  if [ -z "$pkgs" ]; then
    plan_auto=true # only starting what is installed: the same everywhere
  elif [ -z "$install" ]; then
    plan+=("# install Docker Engine 20.10 or newer and Docker Compose: https://docs.docker.com/engine/install/")
    return 0
  else
    plan+=(${pre[@]+"${pre[@]}"} "$install $pkgs")
  fi
  $answers || start_commands
  return 0
}

# Prints the plan as commands a person can paste (with sudo when not root).
print_plan() {
  local sudo="" c
  [ "$(id -u)" -eq 0 ] || sudo="sudo "
  for c in "${plan[@]}"; do
    case "$c" in
      '#'*) printf '  %s\n' "$c" ;;
      *) printf '  %s%s\n' "$sudo" "$c" ;;
    esac
  done
}

# Runs the plan (through sudo when not root), then waits for the engine.
docker_apply() { # runner: a function called as RUNNER LABEL COMMAND...
  local runner=$1 c label sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  for c in "${plan[@]}"; do
    case "$c" in
      *'dockerd '*'&') label="starting dockerd"
        echo "    no init system here: starting dockerd in the background (log: /var/log/dockerd.log)" ;;
      *' install '*|*'apk add '*|*'pacman '*) label="installing ${c##* install -y }" ;;
      *) label="$c" ;;
    esac
    "$runner" "$label" ${sudo[@]+"${sudo[@]}"} sh -c "$c"
  done
  local _
  for _ in $(seq 1 60); do
    [ -z "$(docker_server_version)" ] || return 0
    # Up, but not for this user (docker_plan says what to do about it).
    ! timeout 20 docker version 2>&1 | grep -qi 'permission denied' || return 0
    sleep 1
  done
  echo "the Docker engine did not answer within 60 s after starting it. The last lines of its log:" >&2
  { tail -n 5 /var/log/dockerd.log 2>/dev/null || journalctl -u docker -n 5 --no-pager 2>/dev/null || true; } | sed 's/^/  | /' >&2
  return 1
}
