#!/usr/bin/env bash
# Pushes the Dockerfile frontend image to the mirror registry as docker/dockerfile:1, so
# BuildKit's docker.io mirror serves docker.io/docker/dockerfile:1. Prints the digest.
#   rehearsal/images/frontend.sh        (needs a running environment: rehearsal/env.sh up)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/buildctl.sh"
need_tool "$DOCKERFILE_FRONTEND" "rehearsal/build-tools.sh buildkit"

context=$WORK_DIR/frontend
mkdir -p "$context"
# A hard link (same file system) or a copy: the build context must be a directory of its own.
ln -f "$DOCKERFILE_FRONTEND" "$context/dockerfile-frontend" 2>/dev/null || cp -p "$DOCKERFILE_FRONTEND" "$context/dockerfile-frontend"
digest=$(bk_push "$MIRROR_REGISTRY/docker/dockerfile:1" "$here/images/frontend" \
  --local context="$context" --opt build-arg:BUILDKIT_VERSION="$BUILDKIT_VERSION")
log "frontend: $MIRROR_REGISTRY/docker/dockerfile:1@$digest (docker.io/docker/dockerfile:1 through the mirror)"
echo "$digest"
