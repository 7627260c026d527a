# proc.sh: shell functions the local scripts share. Source it:
#   . "$(dirname "$0")/proc.sh"

# stop_pid NAME PID SECONDS: sends PID SIGTERM, waits up to SECONDS for it
# to exit, and kills it if it has not. NAME says what it is in messages.
stop_pid() {
  local name=$1 pid=$2 secs=$3 i
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "$(basename "$0"): $name (pid $pid) did not stop in ${secs}s; killing it" >&2
  kill -9 "$pid" 2>/dev/null || true
}
