# shellcheck shell=bash
# Checks that need no change to the host: free disk where Docker keeps images
# and where the data lives, free memory, and the ports the stack will bind.
# Shared by install.sh (before it changes anything) and install.sh --check.

IMAGES_MB=3072   # both images and their build layers, built from nothing
REBUILD_MB=1024  # a rebuild next to existing images
MEMORY_MB=1024   # the builds (g++, npm) and a first sandbox

# MB free on the filesystem holding PATH (or its nearest existing parent), and its mount point.
free_mb() { # path
  local p=$1
  while [ ! -e "$p" ] && [ "$p" != / ]; do p="$(dirname "$p")"; done
  df -Pk "$p" 2>/dev/null | awk 'NR == 2 { printf "%d %s\n", $4 / 1024, $6 }'
}

available_memory_mb() {
  awk '/^MemAvailable:/ { printf "%d\n", $2 / 1024; found = 1 } END { if (!found) print "" }' /proc/meminfo 2>/dev/null
}

docker_root_dir() { timeout 20 docker info -f '{{.DockerRootDir}}' 2>/dev/null || true; }

# "mb mount" lines for the Docker root dir and the data dir; sets disk_problems.
check_disk() { # image (the sandbox image tag), data dir, reserve MB
  local image=$1 data=$2 reserve=$3 root need root_free data_free
  disk_problems=() disk_report=""
  need=$IMAGES_MB
  docker image inspect "$image" >/dev/null 2>&1 && need=$REBUILD_MB
  root="$(docker_root_dir)"
  if [ -n "$root" ] && [ -d "$root" ]; then
    read -r root_free root_mnt < <(free_mb "$root")
  else
    root_free="" root_mnt=""
  fi
  read -r data_free data_mnt < <(free_mb "$data")
  # One filesystem for both: the images and the reserve add up.
  local data_need=$reserve
  [ "$root_mnt" = "$data_mnt" ] && data_need=$((reserve + need))
  if [ -n "$root_free" ]; then
    disk_report="$root_free MB free for images ($root)"
    [ "$root_free" -ge "$need" ] ||
      disk_problems+=("only $root_free MB free on $root_mnt, where Docker keeps images ($root): the images need about $need MB. Free space (docker system prune) or move Docker's data-root")
  else
    disk_report="Docker's root dir is not on this host's filesystem (not checked)"
  fi
  disk_report="$disk_report; $data_free MB free for data ($data)"
  [ "${data_free:-0}" -ge "$data_need" ] ||
    disk_problems+=("only ${data_free:-0} MB free on ${data_mnt:-?}, which holds SANDBOXED_DATA_DIR ($data): sandboxd refuses new sandboxes below SANDBOXD_DISK_RESERVE_MB ($reserve MB)$([ "$data_need" -gt "$reserve" ] && echo ", and the images need about $need MB there too"). Free space, or set SANDBOXED_DATA_DIR to a larger disk")
}

check_memory() {
  local mb
  memory_problem="" memory_report=""
  mb="$(available_memory_mb)"
  [ -n "$mb" ] || { memory_report="unknown (no /proc/meminfo)"; return 0; }
  memory_report="$mb MB available"
  [ "$mb" -ge "$MEMORY_MB" ] ||
    memory_problem="only $mb MB of memory available: the builds and a first sandbox need at least $MEMORY_MB MB. Stop something, or add memory or swap"
}

# Who listens on a TCP port: nothing (empty), or a description. Uses ss when
# present (with the process when root), else a connection to 127.0.0.1.
port_listener() { # port
  local port=$1 line
  if command -v ss >/dev/null 2>&1; then
    line="$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n 1)"
    [ -n "$line" ] || return 0
    if [[ $line =~ users:\(\(\"([^\"]+)\",pid=([0-9]+) ]]; then
      printf '%s (pid %s)\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
    else
      echo "another program"
    fi
  elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "another program"
  fi
}

# Whether a listener's pid runs inside one of the given containers (this installation's own).
pid_in_containers() { # "name (pid N)", container ids...
  local desc=$1 pid id
  shift
  [ $# -gt 0 ] || return 1
  [[ $desc =~ pid\ ([0-9]+) ]] || return 0 # no pid to tell by: ours while they run
  pid=${BASH_REMATCH[1]}
  for id in "$@"; do grep -q "$id" "/proc/$pid/cgroup" 2>/dev/null && return 0; done
  return 1
}

# Sets port_problems for each "port:SETTING" taken by something other than our containers.
check_ports() { # "port:what" ..., then -- and this installation's running container ids
  local specs=() ours=() spec port what holder
  while [ $# -gt 0 ] && [ "$1" != -- ]; do specs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  ours=("$@")
  port_problems=() port_report=""
  for spec in "${specs[@]}"; do
    port=${spec%%:*} what=${spec#*:}
    holder="$(port_listener "$port")"
    if [ -z "$holder" ]; then
      port_report="$port_report $port free,"
    elif pid_in_containers "$holder" ${ours[@]+"${ours[@]}"}; then
      port_report="$port_report $port ours,"
    else
      port_report="$port_report $port taken,"
      port_problems+=("port $port ($what) is in use by $holder: stop it, or choose another port for $what")
    fi
  done
  port_report="${port_report# }"
  port_report="${port_report%,}"
}
