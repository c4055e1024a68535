# shellcheck shell=bash
# A Docker engine of the rehearsal's own (Debian's docker.io): for `docker run` (the smoke
# gate, the dev stack's loaded image) and `docker load`. No bridge, no iptables, no IP
# forwarding: containers run with --network none (or host). Pulls of docker.io names go to
# the mirror registry. Everything it keeps is under $DATA_DIR/docker and $REHEARSAL_DIR/d.

# dockerd's exec root holds containerd's sockets: a unix socket path has at most 107 bytes.
DOCKERD_EXEC_ROOT=$REHEARSAL_DIR/d

# Paths outside the run directory that Debian's dockerd 20.10 creates and has no option to move:
# its trust key (removed in Docker 23) and the managed-plugin socket directory. Those it
# creates are listed in $RUN_DIR/dockerd-host-paths and removed again by dockerd_stop.
DOCKERD_HOST_PATHS=(/etc/docker/key.json /run/docker/plugins /run/docker /etc/docker)

dockerd_start() {
  command -v dockerd >/dev/null || die "dockerd is missing: apt-get install docker.io"
  command -v docker >/dev/null || die "the docker CLI is missing: apt-get install docker.io"
  local longest=$DOCKERD_EXEC_ROOT/containerd/containerd.sock.ttrpc
  [ ${#longest} -lt 100 ] && [ ${#DOCKER_SOCKET} -lt 100 ] ||
    die "run directory path too long for unix sockets ($longest): set REHEARSAL_DIR to a shorter path"
  mkdir -p "$RUN_DIR" "$DATA_DIR/docker" "$DOCKERD_EXEC_ROOT"
  # An empty config file of our own: /etc/docker/daemon.json (if any) must not apply.
  echo '{}' >"$RUN_DIR/dockerd.json"
  local p
  : >"$RUN_DIR/dockerd-host-paths"
  for p in "${DOCKERD_HOST_PATHS[@]}"; do
    [ -e "$p" ] || echo "$p" >>"$RUN_DIR/dockerd-host-paths"
  done
  # The engine trusts the run's CA (registries A and B) through Go's SSL_CERT_FILE.
  SSL_CERT_FILE=$TLS_CA_BUNDLE start_daemon dockerd dockerd \
    --config-file "$RUN_DIR/dockerd.json" \
    --data-root "$DATA_DIR/docker" \
    --exec-root "$DOCKERD_EXEC_ROOT" \
    --pidfile "$RUN_DIR/dockerd.own.pid" \
    -H "unix://$DOCKER_SOCKET" \
    --bridge=none --iptables=false --ip-forward=false --ip-masq=false --userland-proxy=false \
    --registry-mirror "http://$MIRROR_REGISTRY" \
    --log-level warn
  wait_daemon dockerd 60 docker version
}

# dockerd stops its containers and the containerd it started; a containerd left behind
# (dockerd killed) is stopped by the pid it recorded.
dockerd_stop() {
  local containerd_pid_file=$DOCKERD_EXEC_ROOT/containerd/containerd.pid containerd_pid=""
  [ -f "$containerd_pid_file" ] && containerd_pid=$(cat "$containerd_pid_file")
  stop_daemon dockerd 30
  if [ -n "$containerd_pid" ] && proc_running "$containerd_pid" &&
    [ "$(readlink "/proc/$containerd_pid/exe")" = "$(command -v containerd)" ] &&
    tr '\0' ' ' <"/proc/$containerd_pid/cmdline" | grep -qF -- "$DOCKERD_EXEC_ROOT"; then
    log "containerd (pid $containerd_pid) outlived dockerd: SIGTERM"
    kill -TERM "$containerd_pid" 2>/dev/null || true
  fi
  local p
  if [ -f "$RUN_DIR/dockerd-host-paths" ]; then
    while read -r p; do
      if [ -d "$p" ]; then rmdir "$p" 2>/dev/null || true; else rm -f "$p"; fi
    done <"$RUN_DIR/dockerd-host-paths"
    rm -f "$RUN_DIR/dockerd-host-paths"
  fi
}
