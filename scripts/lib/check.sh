# shellcheck shell=bash
# install.sh --check (doctor): what a healthy installation has, as a table;
# every row ok (or a WARN for a choice the operator made) or it exits 1.
# Expects settings.sh, preflight.sh, ca.sh and docker-setup.sh to be loaded.

check_failed=0
row() { # status item detail
  printf '  %-10s %-4s  %s\n' "$2" "$1" "$3"
  [ "$1" != FAIL ] || check_failed=1
}

check_ca() {
  local set tmp n
  set="$(value_of SANDBOXED_EXTRA_CA_CERTS)"
  tmp="$(mktemp)"
  find_extra_cas "$tmp"
  if [ -n "$set" ]; then
    if [ ! -r "$set" ] || ! grep -q -- '-----BEGIN CERTIFICATE-----' "$set"; then
      row FAIL ca "SANDBOXED_EXTRA_CA_CERTS=$set is not a readable PEM file"
    else
      n=$(grep -c -- '-----BEGIN CERTIFICATE-----' "$set")
      local missing
      missing=$(awk '/-----BEGIN/{on=1;b="";next} /-----END/{if(on)print b;on=0;next} on{gsub(/[ \t\r]/,"");b=b $0}' "$tmp" |
        grep -vxF -f <(awk '/-----BEGIN/{on=1;b="";next} /-----END/{if(on)print b;on=0;next} on{gsub(/[ \t\r]/,"");b=b $0}' "$set") | grep -c . || true)
      if [ "$missing" -gt 0 ]; then
        row WARN ca "$set has $n certificate(s), but the host trusts $missing more (from $ca_from): run ./install.sh"
      else
        row ok ca "$n certificate(s) in $set"
      fi
    fi
  elif [ "$ca_count" -gt 0 ]; then
    row FAIL ca "the host trusts $ca_count extra CA(s) (from $ca_from) that builds and sandboxes do not: run ./install.sh"
  else
    row ok ca "no CA beyond the distribution's"
  fi
  rm -f "$tmp"
}

check_api() { # url token
  local url=$1 token=$2
  http_get "$url/readyz" "$token"
  if [ "$http_code" != 200 ]; then
    row FAIL api "$url/readyz answers ${http_code/#000/nothing}: ${http_body:-is the stack running? ${compose_hint:-docker ps}}"
    return
  fi
  if [ -z "$token" ]; then
    row WARN api "ready; auth is OFF (no SANDBOXD_API_TOKENS): anyone on this host can use the API"
    return
  fi
  http_get "$url/v1/sandboxes" "$token"
  local with=$http_code
  http_get "$url/v1/sandboxes"
  if [ "$with" = 200 ] && [ "$http_code" = 401 ]; then
    row ok api "ready; auth on: the token from the settings file is accepted, no token gets 401"
  else
    row FAIL api "ready, but with the token: $with, without: $http_code (expected 200 and 401)"
  fi
}

check_isolation() {
  if [ "$(value_of SANDBOXD_NETWORK_ISOLATION)" = false ]; then
    row WARN isolation "off (SANDBOXD_NETWORK_ISOLATION=false)"
    return
  fi
  local net id rules c empty=() missing=()
  net="$(value_of SANDBOXD_NETWORK)"
  if ! id="$(docker network inspect -f '{{.Id}}' "$net" 2>/dev/null)"; then
    row FAIL isolation "the sandbox network $net does not exist (sandboxd creates it at start)"
    return
  fi
  if ! rules="$(iptables -w 5 -S 2>/dev/null)"; then
    row FAIL isolation "cannot read iptables (run --check as root, with iptables installed)"
    return
  fi
  for c in "SBX-F-${id:0:12}" "SBX-I-${id:0:12}"; do
    if ! grep -q -- "-j $c\$" <<<"$rules" && ! grep -q -- "-j $c " <<<"$rules"; then missing+=("$c")
    elif ! grep -q -- "^-A $c " <<<"$rules"; then empty+=("$c")
    fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    row FAIL isolation "chain(s) ${missing[*]} of network $net not in place: sandboxes are not isolated"
  elif [ ${#empty[@]} -gt 0 ]; then
    row FAIL isolation "chain(s) ${empty[*]} of network $net have no rules: sandboxes are not isolated"
  else
    row ok isolation "SBX-F-${id:0:12} and SBX-I-${id:0:12} in place for $net"
  fi
}

check_disks() { # data dir
  if [ "$(value_of SANDBOXD_DISK_QUOTA)" = false ]; then
    row WARN disks "workspace disks off (SANDBOXD_DISK_QUOTA=false): no per-sandbox quota"
    return
  fi
  local free attached
  if [ ! -e /dev/loop-control ]; then
    row FAIL disks "no /dev/loop-control: workspace disks need loop devices (modprobe loop)"
  elif ! free="$(losetup -f 2>/dev/null)"; then
    row FAIL disks "losetup -f finds no usable loop device (run as root; modprobe loop)"
  else
    attached=$(losetup -n -l -O BACK-FILE 2>/dev/null | grep -c "^$1/disks/" || true)
    row ok disks "loop devices usable (next: $free); $attached workspace disk(s) attached"
  fi
}

check_images() {
  local img info running
  for img in "$(value_of SANDBOXD_IMAGE)" sandboxed/sandboxd:latest; do
    if info="$(docker image inspect -f '{{.Id}} {{.Created}}' "$img" 2>/dev/null)"; then
      local id=${info%% *} created=${info#* }
      id=${id#sha256:}
      row ok image "$img: ${id:0:12}, created ${created%%.*}"
    else
      row FAIL image "$img is missing: run ./install.sh"
    fi
  done
  running="$(docker inspect -f '{{.Image}}' $(compose_ids sandboxd) 2>/dev/null | head -n 1 || true)"
  local want
  want="$(docker image inspect -f '{{.Id}}' sandboxed/sandboxd:latest 2>/dev/null || true)"
  if [ -n "$running" ] && [ -n "$want" ] && [ "$running" != "$want" ]; then
    row WARN image "the running sandboxd is from an older image (${running:7:12}): run ./install.sh"
  fi
}

run_check() {
  local v data bind url token
  echo "sandboxed --check: settings $env_file, project $COMPOSE_PROJECT_NAME"
  if v="$(docker_server_version)" && [ -n "$v" ]; then
    row ok docker "engine $v"
  else
    row FAIL docker "the engine does not answer${DOCKER_HOST:+ at $DOCKER_HOST}: ./install.sh offers to start or install it"
    echo "install.sh --check: not healthy (Docker is needed for the rest)" >&2
    return 1
  fi
  if [ ${#compose_cmd[@]} -gt 0 ]; then row ok compose "${compose_cmd[*]} $compose_version"
  else row FAIL compose "missing: ./install.sh offers to install it"
  fi
  if [ ! -f "$env_file" ]; then row FAIL settings "$env_file is missing: run ./install.sh"
  elif [ -n "$(find "$env_file" -perm /077 2>/dev/null)" ]; then
    row FAIL settings "$env_file is readable by others, and it holds the API token: chmod 600 $env_file"
  else row ok settings "$env_file (0600)"
  fi
  check_ca
  data="$(value_of SANDBOXED_DATA_DIR)"
  check_disk "$(value_of SANDBOXD_IMAGE)" "$data" "$(value_of SANDBOXD_DISK_RESERVE_MB)"
  if [ ${#disk_problems[@]} -eq 0 ]; then row ok disk "$disk_report"; else row FAIL disk "${disk_problems[*]}"; fi
  check_memory
  if [ -z "$memory_problem" ]; then row ok memory "$memory_report"; else row WARN memory "$memory_problem"; fi
  # Running, the stack holds every port it binds.
  local specs spec port ours
  mapfile -t specs < <(stack_ports)
  mapfile -t ours < <(compose_ids)
  for spec in "${specs[@]}"; do
    port=${spec%%:*}
    holder="$(port_listener "$port")"
    if [ -z "$holder" ]; then row FAIL port "$port (${spec#*:}): nothing listens; is the stack running?"
    elif pid_in_containers "$holder" ${ours[@]+"${ours[@]}"}; then row ok port "$port (${spec#*:}) held by this installation"
    else row FAIL port "$port (${spec#*:}) is held by $holder, not by this installation"
    fi
  done
  # Before the API: sandboxd repairs the chains when asked for /readyz.
  check_isolation
  bind="$(value_of SANDBOXED_API_BIND)"
  check_api "$(api_url_of "$bind")" "$(first_token)"
  check_disks "$data"
  check_images
  SANDBOXD_GVISOR_RUNTIME="$(value_of SANDBOXD_GVISOR_RUNTIME)"
  # shellcheck source=scripts/lib/gvisor.sh
  . "$repo/scripts/lib/gvisor.sh"
  gvisor_check "$(value_of SANDBOXD_IMAGE)" "$(value_of SANDBOXD_DEFAULT_RUNTIME)" || true
  if [ "$check_failed" -eq 0 ]; then echo "install.sh --check: all is well"; return 0; fi
  echo "install.sh --check: not healthy (FAIL rows above)" >&2
  return 1
}
