# shellcheck shell=bash
# What install.sh shows: one line per stage with the elapsed time, a live step
# counter for the long builds, and the tools' own output in a log file whose
# tail (with the likely cause) is shown when a step fails.
# Expects $log_file (where the tools' output goes; created on first use).

SECONDS=0
stage() { printf '==> %s (%d s)\n' "$*" "$SECONDS"; }
note() { printf '    %s\n' "$*"; }
warn() { printf '    WARNING: %s\n' "$*" >&2; }
die() { printf '\ninstall.sh: %s\n' "$*" >&2; exit 1; }

# Copies the tool output on stdin to the screen as "LABEL: step N/M, T s", read
# from docker build's "Step N/M" lines: redrawn in place each second at a
# terminal, a line at most every 30 s elsewhere (CI logs, pipes).
progress() { # label, start (SECONDS)
  local label=$1 t0=$2 line step="" tty=false last=$SECONDS msg
  [ -t 1 ] && tty=true
  while :; do
    if IFS= read -r -t 1 line; then
      [[ $line =~ ^Step\ ([0-9]+/[0-9]+) ]] && step=${BASH_REMATCH[1]}
    elif [ $? -le 128 ]; then
      break # end of input (a timeout returns more than 128)
    fi
    [ -n "$step" ] || continue
    msg="$label: step $step, $((SECONDS - t0)) s"
    if $tty; then
      printf '\r\033[K    %s' "$msg"
    elif [ $((SECONDS - last)) -ge 30 ]; then
      printf '    %s\n' "$msg"
      last=$SECONDS
    fi
  done
  if $tty && [ -n "$step" ]; then printf '\r\033[K'; fi
  return 0
}

log_open() {
  [ -z "${log_started:-}" ] || return 0
  # One log per run: the tools' output of this run only.
  mkdir -p "$(dirname "$log_file")"
  : >"$log_file"
  log_started=1
}

# Runs a command with its output in the log and the progress on the screen. On
# failure: the last 40 lines of its output, the likely cause, and exit.
run_logged() { # label, command...
  local label=$1 rc t0=$SECONDS out
  shift
  log_open
  out="$(mktemp)"
  set +e
  "$@" 2>&1 </dev/null | tee "$out" | progress "$label" "$t0"
  rc=${PIPESTATUS[0]}
  set -e
  step_done "$label" "$rc" "$t0" "$out" "$*"
}

# Starts a command in the background (its output in a file of its own), so a
# second build runs beside the first; finish_background waits for it.
start_background() { # label, command...
  local label=$1
  shift
  log_open
  bg_label=$label bg_t0=$SECONDS bg_cmd="$*" bg_out="$(mktemp)"
  (
    set +e
    "$@" >"$bg_out" 2>&1 </dev/null &
    echo $! >"$bg_out.pid"
    wait $!
    echo $? >"$bg_out.rc"
  ) &
  bg_pid=$!
  # A failure elsewhere must not leave the build running.
  trap 'kill_background' EXIT
}

kill_background() {
  [ -n "${bg_pid:-}" ] || return 0
  kill "$(cat "$bg_out.pid" 2>/dev/null)" "$bg_pid" 2>/dev/null || true
}

finish_background() {
  # Still running: its progress, from its output so far.
  if kill -0 "$bg_pid" 2>/dev/null; then
    tail -n +1 --pid="$bg_pid" -f "$bg_out" | progress "$bg_label" "$bg_t0"
  fi
  wait "$bg_pid" 2>/dev/null || true
  bg_pid=""
  trap - EXIT
  local rc
  rc="$(cat "$bg_out.rc" 2>/dev/null || echo 1)"
  rm -f "$bg_out.rc" "$bg_out.pid"
  step_done "$bg_label" "$rc" "$bg_t0" "$bg_out" "$bg_cmd"
}

# Appends a step's output to the log; on failure shows its tail and the likely cause, and exits.
step_done() { # label, exit code, start, output file, command
  local label=$1 rc=$2 t0=$3 out=$4 cause
  printf '\n--- %s: %s (exit %s)\n' "$label" "$5" "$rc" >>"$log_file"
  cat "$out" >>"$log_file"
  if [ "$rc" -eq 0 ]; then
    rm -f "$out"
    note "$label: done in $((SECONDS - t0)) s"
    return 0
  fi
  printf '\n%s failed (exit %d). Its last lines (all of it: %s):\n' "$label" "$rc" "$log_file" >&2
  tail -n 40 "$out" | sed 's/^/  | /' >&2
  cause="$(likely_cause <"$out")"
  rm -f "$out"
  die "$label failed.${cause:+ Likely cause: $cause}"
}

# The usual reasons a build step fails, from the tools' own error lines.
likely_cause() {
  local text
  text="$(cat)"
  if grep -qiE 'SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY_LEAF|local issuer certificate|certificate verify failed|SSL certificate problem|self[- ]signed certificate|x509: certificate|CERT_UNTRUSTED' <<<"$text"; then
    echo "a TLS certificate is not trusted (a TLS-inspecting proxy?). Give install.sh the proxy's CA as a PEM file:
  SANDBOXED_EXTRA_CA_CERTS=/path/to/ca.pem ./install.sh   (or NODE_EXTRA_CA_CERTS, or put it in /usr/local/share/ca-certificates)"
  elif grep -qiE 'no space left on device|ENOSPC|not enough free space' <<<"$text"; then
    echo "the disk is full. Free space where Docker keeps images ($(docker info -f '{{.DockerRootDir}}' 2>/dev/null || echo /var/lib/docker)): docker system prune, or remove old images"
  elif grep -qiE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|Temporary failure resolving|Could not resolve|Failed to fetch|network is unreachable|i/o timeout|TLS handshake timeout|no such host|connection refused' <<<"$text"; then
    echo "a registry or mirror does not answer. Without a container registry: ./install.sh --offline
  (the npm registry and a Debian mirror are still needed; behind a proxy, set HTTP_PROXY/HTTPS_PROXY for Docker)"
  fi
}
