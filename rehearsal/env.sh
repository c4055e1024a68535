#!/usr/bin/env bash
# The rehearsal's environment: three registries, a git daemon, a Docker engine and BuildKit,
# all on the loopback, all state under the run directory (.rehearsal/).
#
#   rehearsal/env.sh up       start everything (stops what it started if a step fails)
#   rehearsal/env.sh down     stop every daemon it started, by pid
#   rehearsal/env.sh status   which daemons run
#   rehearsal/env.sh check    every listening socket of the daemons is on the loopback
#   rehearsal/env.sh clean    down, then delete the run directory
#
# After `up`, $REHEARSAL_DIR/env (shell) and $REHEARSAL_DIR/env.json describe the environment:
# DOCKER_HOST, DOCKER_CONFIG, BUILDKIT_HOST, the buildx builder name, registry and git addresses.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"
source "$here/lib/daemon.sh"
source "$here/lib/loopback-check.sh"
source "$here/lib/qemu.sh"
source "$here/lib/tls.sh"
source "$here/daemons/registry.sh"
source "$here/daemons/git-daemon.sh"
source "$here/daemons/dockerd.sh"
source "$here/daemons/buildkitd.sh"
source "$here/buildx-builder.sh"

DAEMONS=(registry-mirror registry-a registry-b git-daemon dockerd buildkitd)

down() {
  buildkitd_stop
  dockerd_stop
  git_daemon_stop
  registry_stop b
  registry_stop a
  registry_stop mirror
}

write_env() {
  local arm64=$1
  cat >"$REHEARSAL_DIR/env" <<ENV
# Written by rehearsal/env.sh up; source it to use the rehearsal environment.
export REHEARSAL_DIR='$REHEARSAL_DIR'
export DOCKER_HOST='$DOCKER_HOST'
export DOCKER_CONFIG='$DOCKER_CONFIG'
export BUILDKIT_HOST='$BUILDKIT_HOST'
export BUILDX_BUILDER='$BUILDX_BUILDER_NAME'
export REHEARSAL_MIRROR_REGISTRY='$MIRROR_REGISTRY'
export REHEARSAL_REGISTRY_A='$REGISTRY_A'
export REHEARSAL_REGISTRY_B='$REGISTRY_B'
export REHEARSAL_GIT_BASE_URL='$GIT_BASE_URL'
export REHEARSAL_ARM64='$arm64'
export SSL_CERT_FILE='$TLS_CA_BUNDLE'
export NODE_EXTRA_CA_CERTS='$TLS_CA'
export REHEARSAL_REGISTRY_USER='$REGISTRY_USER'
export REHEARSAL_REGISTRY_PASSWORD_FILE='$REGISTRY_PASSWORD_FILE'
ENV
  cat >"$REHEARSAL_DIR/env.json" <<JSON
{
  "dir": "$REHEARSAL_DIR",
  "dockerHost": "$DOCKER_HOST",
  "dockerConfig": "$DOCKER_CONFIG",
  "buildkitHost": "$BUILDKIT_HOST",
  "builder": "$BUILDX_BUILDER_NAME",
  "mirrorRegistry": "$MIRROR_REGISTRY",
  "registryA": "$REGISTRY_A",
  "registryB": "$REGISTRY_B",
  "gitBaseUrl": "$GIT_BASE_URL",
  "caFile": "$TLS_CA",
  "registryUser": "$REGISTRY_USER",
  "registryPasswordFile": "$REGISTRY_PASSWORD_FILE",
  "caBundle": "$TLS_CA_BUNDLE",
  "platforms": [$([ "$arm64" = yes ] && echo '"linux/amd64", "linux/arm64"' || echo '"linux/amd64"')]
}
JSON
}

up() {
  [ "$(id -u)" -eq 0 ] || die "the rehearsal's dockerd and buildkitd run as root"
  local d
  for d in "${DAEMONS[@]}"; do
    ! daemon_pid "$d" >/dev/null || die "$d is already running (pid $(daemon_pid "$d")): the environment is up; rehearsal/env.sh down first"
  done
  require_free_port "${MIRROR_REGISTRY##*:}" "mirror registry"
  require_free_port "${REGISTRY_A##*:}" "registry A"
  require_free_port "${REGISTRY_B##*:}" "registry B"
  require_free_port "$GIT_PORT" "git daemon"
  mkdir -p "$REHEARSAL_DIR" "$RUN_DIR" "$LOG_DIR" "$DATA_DIR" "$DOCKER_CONFIG"
  [ -f "$DOCKER_CONFIG/config.json" ] || echo '{}' >"$DOCKER_CONFIG/config.json"
  # From here on, a failure or an interrupt stops whatever was started.
  UP_DONE=no
  trap '[ $UP_DONE = yes ] || { set +e; log "up failed or interrupted: stopping what it started"; down; }' EXIT
  trap 'exit 130' INT TERM
  local arm64=no
  # Before buildkitd: it detects the platforms it can run when it starts.
  if enable_qemu_arm64; then arm64=yes; else log "linux/arm64 is not available: amd64 only"; fi
  local h
  for h in $REGISTRY_HOSTS; do
    [ "$(getent hosts "$h" | cut -d' ' -f1)" = 127.0.0.1 ] ||
      die "$h does not resolve to 127.0.0.1: run inside rehearsal/namespace.sh (npm run rehearse does)"
  done
  registry_start mirror "$MIRROR_REGISTRY"
  tls_certificates
  registry_credentials
  registry_start a "127.0.0.1:${REGISTRY_A##*:}" tls
  registry_start b "127.0.0.1:${REGISTRY_B##*:}" tls
  git_daemon_start
  dockerd_start
  # The engine pulls what the program pushed (the smoke gate), with this login, as CI's docker login.
  local r
  for r in "$REGISTRY_A" "$REGISTRY_B"; do
    docker login --username "$REGISTRY_USER" --password-stdin "$r" <"$REGISTRY_PASSWORD_FILE" >/dev/null
  done
  buildkitd_start
  buildx_builder_create
  check_loopback_only "${DAEMONS[@]}"
  write_env "$arm64"
  UP_DONE=yes
  log "environment up: source $REHEARSAL_DIR/env (platforms: linux/amd64$([ $arm64 = no ] || echo ', linux/arm64'))"
}

status() {
  local d pid
  for d in "${DAEMONS[@]}"; do
    if pid=$(daemon_pid "$d"); then echo "$d: running (pid $pid)"; else echo "$d: stopped"; fi
  done
}

case "${1:-}" in
  up) timed "env up" up ;;
  down) timed "env down" down ;;
  status) status ;;
  check) check_loopback_only "${DAEMONS[@]}" ;;
  clean)
    down
    # A daemon that was killed can leave overlay mounts behind: never delete through a mount.
    if findmnt -rn -o TARGET | grep -qF -- "$REHEARSAL_DIR/"; then
      die "mounts left under $REHEARSAL_DIR (findmnt | grep $REHEARSAL_DIR): unmount them first"
    fi
    rm -rf "$REHEARSAL_DIR" ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
