#!/usr/bin/env bash
# Runs a command in a private mount namespace in which /etc/hosts also names the rehearsal's
# registries A and B (127.0.0.1), so they can be HTTPS registries with names, like Docker Hub
# and GHCR, while traffic stays on the loopback. The host's /etc/hosts is not changed: the
# bind mount lives as long as the namespace, i.e. the command. Needs root.
#
#   rehearsal/namespace.sh <command...>        (npm run rehearse runs the rehearsal so)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"
[ $# -gt 0 ] || die "usage: rehearsal/namespace.sh <command...>"
[ "$(id -u)" -eq 0 ] || die "the rehearsal runs as root (a mount namespace, dockerd, buildkitd)"
mkdir -p "$RUN_DIR"
hosts=$RUN_DIR/hosts
{ cat /etc/hosts; echo "127.0.0.1 $REGISTRY_HOSTS"; } >"$hosts"
exec unshare --mount --propagation private -- bash -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$hosts" "$@"
