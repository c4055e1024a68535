# shellcheck shell=bash
# BuildKit (buildkitd from the tool cache) with the OCI worker on Debian's runc, host
# networking (no CNI bridge), a unix socket in the run directory. Its registry mirror serves
# docker.io names (the dockerfile frontend, the postgres stand-in) from the mirror registry;
# the mirror is plain HTTP, registries A and B HTTPS with the run's CA (lib/tls.sh).

buildkitd_start() {
  need_tool "$BUILDKITD" "rehearsal/build-tools.sh buildkit"
  command -v runc >/dev/null || die "runc is missing: apt-get install runc"
  [ ${#BUILDKIT_SOCKET} -lt 100 ] || die "socket path too long ($BUILDKIT_SOCKET): set REHEARSAL_DIR to a shorter path"
  mkdir -p "$RUN_DIR" "$DATA_DIR/buildkit"
  local config=$RUN_DIR/buildkitd.toml
  cat >"$config" <<TOML
root = "$DATA_DIR/buildkit"

[log]
  level = "info"

[grpc]
  address = ["unix://$BUILDKIT_SOCKET"]

# Not /run/buildkit: no state outside the run directory.
[otel]
  socketPath = "$RUN_DIR/buildkitd-otel.sock"

[worker.oci]
  enabled = true
  binary = "$(command -v runc)"
  gc = true
  reservedSpace = "10GB"

[worker.containerd]
  enabled = false

# docker.io/* (docker/dockerfile:1, library/postgres:18-bookworm) from the mirror registry.
[registry."docker.io"]
  mirrors = ["$MIRROR_REGISTRY"]

[registry."$MIRROR_REGISTRY"]
  http = true

# HTTPS: BuildKit would default a loopback host to plain HTTP.
[registry."$REGISTRY_A"]
  http = false
  ca = ["$TLS_CA"]

[registry."$REGISTRY_B"]
  http = false
  ca = ["$TLS_CA"]
TOML
  # Its temporary mount points too stay in the run directory.
  mkdir -p "$REHEARSAL_DIR/tmp"
  TMPDIR=$REHEARSAL_DIR/tmp start_daemon buildkitd "$BUILDKITD" --config "$config" --oci-worker-net=host
  wait_daemon buildkitd 60 "$BUILDCTL" --addr "$BUILDKIT_HOST" debug workers
}

buildkitd_stop() { stop_daemon buildkitd 30; }
