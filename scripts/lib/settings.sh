# shellcheck shell=bash
# Shared by install.sh and uninstall.sh: where the settings file is, and how a
# value is read from it. Expects $env_opt (--env-file) and $repo to be set.
env_file="${env_opt:-${SANDBOXED_ENV_FILE:-$repo/.env}}"
case "$env_file" in /*) ;; *) env_file="$PWD/$env_file" ;; esac

# The value of NAME in the settings file: the last assignment, quotes stripped.
setting() {
  local line
  [ -f "$env_file" ] || return 0
  line="$(grep -E "^[[:space:]]*(export[[:space:]]+)?$1=" "$env_file" | tail -n 1)" || return 0
  line="${line#*=}"
  line="${line%\"}"; line="${line#\"}"; line="${line%\'}"; line="${line#\'}"
  printf '%s' "$line"
}

# The default of NAME in .env.example.
example_default() {
  sed -n "s/^$1=//p" "$repo/.env.example" | tail -n 1
}

# What NAME is or will be: the settings file decides once it exists; before
# that, the environment seeds it; the default of .env.example fills the gaps.
value_of() {
  local v
  if [ -f "$env_file" ]; then v="$(setting "$1")"; else v="${!1:-}"; fi
  [ -n "$v" ] || v="$(example_default "$1")"
  printf '%s' "$v"
}

# Sets NAME=VALUE in the settings file: replaces its last assignment, or appends
# one; the file keeps its mode.
set_setting() { # name value
  local tmp
  tmp="$(mktemp "$env_file.XXXXXX")"
  chmod --reference="$env_file" "$tmp" 2>/dev/null || chmod 0600 "$tmp"
  SET_NAME="$1" SET_VALUE="$2" awk '
    BEGIN { n = ENVIRON["SET_NAME"]; re = "^[[:space:]]*(export[[:space:]]+)?" n "=" }
    { line[NR] = $0; if ($0 ~ re) last = NR }
    END {
      for (i = 1; i <= NR; i++) print (i == last ? n "=" ENVIRON["SET_VALUE"] : line[i])
      if (!last) print n "=" ENVIRON["SET_VALUE"]
    }' "$env_file" >"$tmp"
  mv "$tmp" "$env_file"
}

# The API's address for local tools: the bind address, loopback for a wildcard.
api_url_of() { # bind (host:port)
  local bind=$1 host port
  port="${bind##*:}"
  host="${bind%:*}"; host="${host#[}"; host="${host%]}"
  case "$host" in
    0.0.0.0|'') host=127.0.0.1 ;;
    ::) host='[::1]' ;;
    *:*) host="[$host]" ;;
  esac
  printf 'http://%s:%s' "$host" "$port"
}

# The secret of the first API token (SANDBOXD_API_TOKENS=name:secret,...).
first_token() {
  local tokens
  tokens="$(setting SANDBOXD_API_TOKENS)"
  tokens="${tokens%%,*}"
  [ -n "$tokens" ] && printf '%s' "${tokens#*:}"
}

# GET URL (with a bearer token when given): sets http_code (000 when nothing
# answers) and http_body. curl when present, else bash's /dev/tcp.
http_get() { # url [token]
  local url=$1 token=${2:-} out
  http_code=000 http_body=""
  if command -v curl >/dev/null 2>&1; then
    local auth=()
    [ -z "$token" ] || auth=(-H "Authorization: Bearer $token")
    out="$(curl -s -m 5 ${auth[@]+"${auth[@]}"} -w '\n%{http_code}' "$url" 2>/dev/null)" || true
    http_code="${out##*$'\n'}"
    http_body="${out%$'\n'*}"
    [ -n "$http_code" ] || http_code=000
    [ "$http_code" != "$out" ] || http_body=""
    return 0
  fi
  local rest="${url#http://}" hostport path host port status
  hostport="${rest%%/*}"; path="/${rest#*/}"
  host="${hostport%:*}"; port="${hostport##*:}"; host="${host#[}"; host="${host%]}"
  exec 3<>"/dev/tcp/$host/$port" 2>/dev/null || return 0
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\n%s\r\n' "$path" "$hostport" "${token:+Authorization: Bearer $token$'\r\n'}" >&3
  out="$(timeout 5 cat <&3 | tr -d '\r')" || true
  exec 3>&-
  status="${out%%$'\n'*}"; status="${status#* }"; http_code="${status%% *}"
  http_body="${out#*$'\n\n'}"
}
