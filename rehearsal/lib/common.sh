# shellcheck shell=bash
# Shared settings of the rehearsal scripts: where things live, which ports, which tools.
# Sourced, never run. Every path of a running environment is under $REHEARSAL_DIR
# (default <project>/.rehearsal, git-ignored); only the tool cache lives outside it.
#
# Overrides (environment):
#   REHEARSAL_DIR         run directory (default <project>/.rehearsal)
#   REHEARSAL_PORT_BASE   first of four loopback ports (default 15000):
#                           +0 mirror registry (serves docker.io/* names to BuildKit, and the stand-ins)
#                           +1 registry A, +2 registry B (where the program publishes)
#                           +3 git daemon
#   PG_TRICKLE_TOOLS      tool cache (default ~/.cache/pg-trickle-infra/tools), as in build-tools.sh

REHEARSAL_PROJECT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REHEARSAL_DIR=${REHEARSAL_DIR:-$REHEARSAL_PROJECT/.rehearsal}
REHEARSAL_TOOLS=${PG_TRICKLE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/pg-trickle-infra/tools}
REHEARSAL_PORT_BASE=${REHEARSAL_PORT_BASE:-15000}

# Tool versions: the same as rehearsal/build-tools.sh builds.
BUILDKIT_VERSION=v0.31.0
BUILDX_VERSION=v0.35.0
BUILDKITD=$REHEARSAL_TOOLS/buildkit-$BUILDKIT_VERSION/buildkitd
BUILDCTL=$REHEARSAL_TOOLS/buildkit-$BUILDKIT_VERSION/buildctl
DOCKERFILE_FRONTEND=$REHEARSAL_TOOLS/buildkit-$BUILDKIT_VERSION/dockerfile-frontend
DOCKER_BUILDX=$REHEARSAL_TOOLS/buildx-$BUILDX_VERSION/docker-buildx

# Layout of the run directory.
RUN_DIR=$REHEARSAL_DIR/run          # pid files, sockets, generated configs
LOG_DIR=$REHEARSAL_DIR/logs         # one log per daemon
DATA_DIR=$REHEARSAL_DIR/data        # daemon state: docker, buildkit, registries, git
WORK_DIR=$REHEARSAL_DIR/work        # scratch space of image builds
TIMINGS=$REHEARSAL_DIR/timings.tsv  # step <TAB> seconds <TAB> when

MIRROR_REGISTRY=127.0.0.1:$((REHEARSAL_PORT_BASE + 0))
# Registries A and B stand in for Docker Hub and GHCR: named hosts with HTTPS and a login, on
# the loopback. The names resolve to 127.0.0.1 only inside the rehearsal's mount namespace
# (rehearsal/namespace.sh), where /etc/hosts says so; by name, no client treats them as a
# plain-HTTP localhost registry (BuildKit, buildx and containerd do that for 127.0.0.1).
REGISTRY_HOSTS="registry-a.rehearsal.test registry-b.rehearsal.test"
REGISTRY_A=registry-a.rehearsal.test:$((REHEARSAL_PORT_BASE + 1))
REGISTRY_B=registry-b.rehearsal.test:$((REHEARSAL_PORT_BASE + 2))
REGISTRY_USER=rehearsal
REGISTRY_PASSWORD_FILE=$REHEARSAL_DIR/run/registry-password
GIT_PORT=$((REHEARSAL_PORT_BASE + 3))
GIT_BASE_URL=git://127.0.0.1:$GIT_PORT

DOCKER_SOCKET=$RUN_DIR/docker.sock
BUILDKIT_SOCKET=$RUN_DIR/buildkitd.sock
BUILDX_BUILDER_NAME=pgtrickle-rehearsal

# What clients of the environment need: the Docker CLI talks to the rehearsal engine and
# keeps its config (buildx builders included) inside the run directory.
export DOCKER_HOST=unix://$DOCKER_SOCKET
export DOCKER_CONFIG=$REHEARSAL_DIR/docker-config
export BUILDKIT_HOST=unix://$BUILDKIT_SOCKET

log() { printf 'rehearsal: %s\n' "$*" >&2; }
die() { printf 'rehearsal: error: %s\n' "$*" >&2; exit 1; }

# need_tool <path> <what builds it>: a clear error instead of "command not found".
need_tool() {
  [ -x "$1" ] || die "missing $1; build it with: $2"
}

# timed <step> <command...>: runs the command in a subshell with `set -e` in effect (a caller's
# `||` would switch it off) and appends its duration to $TIMINGS. Its variables do not survive.
timed() {
  local step=$1; shift
  local start=$SECONDS status errexit=$-
  set +e
  (set -e; "$@")
  status=$?
  case $errexit in *e*) set -e ;; esac
  mkdir -p "$(dirname "$TIMINGS")"
  printf '%s\t%s\t%s\t%s\n' "$step" "$((SECONDS - start))" "$(date -u +%FT%TZ)" \
    "$([ $status -eq 0 ] && echo ok || echo "failed ($status)")" >>"$TIMINGS"
  log "$step: $((SECONDS - start)) s$([ $status -eq 0 ] || echo ", failed ($status)")"
  return $status
}

# rehearsal_arches: the architectures the rehearsal builds, "amd64 arm64" or "amd64".
# REHEARSAL_ARCHES overrides; otherwise arm64 when this machine runs arm64 binaries
# (QEMU user emulation registered with binfmt_misc, see lib/qemu.sh).
rehearsal_arches() {
  if [ -n "${REHEARSAL_ARCHES:-}" ]; then echo "$REHEARSAL_ARCHES"; return; fi
  if grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then echo "amd64 arm64"; else echo amd64; fi
}

# platforms_csv "amd64 arm64" -> linux/amd64,linux/arm64
platforms_csv() { local a out=""; for a in $1; do out+="${out:+,}linux/$a"; done; echo "$out"; }
