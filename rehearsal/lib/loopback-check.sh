# shellcheck shell=bash
# Checks that every socket the rehearsal's daemons (and the processes they started) listen on
# is bound to the loopback. Sourced after lib/daemon.sh.

# is_loopback <local address as ss prints it>: 127.0.0.1:5000, [::1]:80, 127.0.0.1%lo:53, ...
is_loopback() {
  local host=${1%:*}
  host=${host%%\%*}
  host=${host#[}; host=${host%]}
  case "$host" in
    127.*|::1|::ffff:127.*) return 0 ;;
    *) return 1 ;;
  esac
}

# check_loopback_only <daemon name>...: prints each listener; fails on any non-loopback one.
check_loopback_only() {
  local pids=" " name bad=0 line addr pid
  for name in "$@"; do
    pids+="$(session_pids "$name" | tr '\n' ' ')"
  done
  while read -r line; do
    addr=$(awk '{ print $5 }' <<<"$line")
    for pid in $(grep -oE 'pid=[0-9]+' <<<"$line" | cut -d= -f2); do
      case "$pids" in *" $pid "*) ;; *) continue ;; esac
      if is_loopback "$addr"; then
        log "listens on loopback: $addr ($(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -c1-60))"
      else
        log "NOT LOOPBACK: $addr (pid $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -c1-80))"
        bad=1
      fi
      break
    done
  done < <(ss -H -l -t -u -n -p)
  return $bad
}
