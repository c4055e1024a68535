# shellcheck shell=bash
# A buildx builder named $BUILDX_BUILDER_NAME with the "remote" driver, pointing at the
# rehearsal's buildkitd socket. buildx keeps builders in $DOCKER_CONFIG/buildx (or
# $BUILDX_CONFIG); the docker-build provider resolves `builder: {name}` through that same
# store (provider/internal/host.go: storeutil.GetStore + builder.New(WithName)), so a Pulumi
# run with this DOCKER_CONFIG builds on the rehearsal's buildkitd. docker-buildx is also linked
# as a CLI plugin there, so `docker buildx ...` works with the same config.
# Sourced by env.sh; needs lib/common.sh.

buildx_builder_create() {
  if [ ! -x "$DOCKER_BUILDX" ]; then
    log "no buildx builder: $DOCKER_BUILDX is not built yet (rehearsal/build-tools.sh buildx)"
    return 0
  fi
  mkdir -p "$DOCKER_CONFIG/cli-plugins"
  ln -sf "$DOCKER_BUILDX" "$DOCKER_CONFIG/cli-plugins/docker-buildx"
  if "$DOCKER_BUILDX" inspect "$BUILDX_BUILDER_NAME" >/dev/null 2>&1; then
    "$DOCKER_BUILDX" rm "$BUILDX_BUILDER_NAME" >/dev/null 2>&1
  fi
  "$DOCKER_BUILDX" create --name "$BUILDX_BUILDER_NAME" --driver remote "unix://$BUILDKIT_SOCKET" >/dev/null
  "$DOCKER_BUILDX" inspect --bootstrap "$BUILDX_BUILDER_NAME" >"$LOG_DIR/buildx-inspect.txt" 2>&1 || {
    cat "$LOG_DIR/buildx-inspect.txt" >&2; return 1; }
  log "buildx builder $BUILDX_BUILDER_NAME -> unix://$BUILDKIT_SOCKET ($(grep -m1 'BuildKit version' "$LOG_DIR/buildx-inspect.txt" | tr -s ' '); $(grep -m1 'Platforms' "$LOG_DIR/buildx-inspect.txt" | tr -s ' '))"
}
