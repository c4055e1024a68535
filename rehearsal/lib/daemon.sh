# shellcheck shell=bash
# Starting and stopping the rehearsal's daemons by pid. Sourced after common.sh.
#
# Each daemon runs in its own session (setsid), so a Ctrl-C in the terminal reaches the
# script, whose trap stops the daemons in order, rather than every process at once. The pid
# file holds "<pid> <start time>": a later stop kills that process only if it is still the
# same one (a pid can be reused once the daemon is gone).

pid_file() { echo "$RUN_DIR/$1.pid"; }

# start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat)
proc_start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }            # drop "pid (comm) ", comm may contain spaces
  set -- $stat
  echo "${20}"                 # field 22 overall = 20th after pid and comm
}

# proc_running <pid>: alive and not a zombie waiting to be reaped.
proc_running() {
  local state
  state=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# daemon_pid <name>: prints the pid if the daemon recorded under <name> is alive.
daemon_pid() {
  local f; f=$(pid_file "$1")
  [ -f "$f" ] || return 1
  local pid start
  read -r pid start <"$f" || return 1
  [ -n "$pid" ] && proc_running "$pid" && [ "$(proc_start_time "$pid")" = "$start" ] || return 1
  echo "$pid"
}

# start_daemon <name> <command...>: starts it in a new session, logs to $LOG_DIR/<name>.log.
start_daemon() {
  local name=$1; shift
  local f; f=$(pid_file "$name")
  if daemon_pid "$name" >/dev/null; then
    die "$name is already running (pid $(daemon_pid "$name")); stop it first: rehearsal/env.sh down"
  fi
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  rm -f "$f" "$f.tmp"
  # The wrapper records its own pid, then execs the daemon: the pid file names the daemon.
  setsid -f bash -c 'echo $$ >"$0"; exec "$@"' "$f.tmp" "$@" </dev/null >"$LOG_DIR/$name.log" 2>&1
  local i pid
  for i in $(seq 50); do
    [ -s "$f.tmp" ] && break
    sleep 0.1
  done
  pid=$(cat "$f.tmp" 2>/dev/null) || die "$name did not start (see $LOG_DIR/$name.log)"
  echo "$pid $(proc_start_time "$pid")" >"$f"
  rm -f "$f.tmp"
  log "$name started (pid $pid, log $LOG_DIR/$name.log)"
}

# stop_daemon <name> [grace seconds]: SIGTERM, then SIGKILL after the grace period.
stop_daemon() {
  local name=$1 grace=${2:-20} pid
  if ! pid=$(daemon_pid "$name"); then
    rm -f "$(pid_file "$name")"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + grace))
  while proc_running "$pid"; do
    if [ $SECONDS -ge $deadline ]; then
      log "$name (pid $pid) did not stop within ${grace} s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$(pid_file "$name")"
  log "$name stopped (pid $pid)"
}

# wait_daemon <name> <seconds> <command...>: polls the readiness command; fails at once when
# the daemon has exited, and shows the end of its log on failure.
wait_daemon() {
  local name=$1 timeout=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ! daemon_pid "$name" >/dev/null; then
      log "$name exited; the end of $LOG_DIR/$name.log:"
      tail -n 20 "$LOG_DIR/$name.log" >&2
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      log "$name: not ready after ${timeout} s; the end of $LOG_DIR/$name.log:"
      tail -n 20 "$LOG_DIR/$name.log" >&2
      return 1
    fi
    sleep 0.2
  done
}

# require_free_port <port> <what>: nothing may listen there yet (another rehearsal, a registry...).
require_free_port() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    die "port 127.0.0.1:$1 ($2) is already in use: stop what listens there, or choose other ports with REHEARSAL_PORT_BASE (now $REHEARSAL_PORT_BASE)"
  fi
}

# session_pids <name>: the daemon and every process in its session (children it started).
session_pids() {
  local pid; pid=$(daemon_pid "$1") || return 0
  ps -e -o pid=,sid= | awk -v s="$pid" '$2 == s { print $1 }'
}
