# shellcheck shell=bash
# A container registry on the loopback: Debian's docker-registry (distribution 2.8), plain
# HTTP, no auth, storage under $DATA_DIR/registry-<name>. Sourced after lib/daemon.sh.

# registry_start <name> <127.0.0.1:port>
registry_start() {
  local name=$1 addr=$2
  command -v docker-registry >/dev/null || die "docker-registry is missing: apt-get install docker-registry"
  require_free_port "${addr##*:}" "registry $name"
  local config=$RUN_DIR/registry-$name.yml storage=$DATA_DIR/registry-$name
  mkdir -p "$RUN_DIR" "$storage"
  cat >"$config" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: $addr
  secret: rehearsal-loopback-only
  headers:
    X-Content-Type-Options: [nosniff]
YAML
  start_daemon "registry-$name" docker-registry serve "$config"
  wait_daemon "registry-$name" 20 curl -fsS "http://$addr/v2/"
}

registry_stop() { stop_daemon "registry-$1" 10; }
