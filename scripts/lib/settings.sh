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
