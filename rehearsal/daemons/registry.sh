# shellcheck shell=bash
# A container registry on the loopback: Debian's docker-registry (distribution 2.8), plain
# HTTP, no auth, storage under $DATA_DIR/registry-<name>. Sourced after lib/daemon.sh.

# registry_start <name> <127.0.0.1:port> [tls]: plain HTTP, or HTTPS with the run's certificate (lib/tls.sh)
registry_start() {
  local name=$1 addr=$2 tls=${3:-}
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
  local probe=(curl -fsS "http://$addr/v2/")
  if [ "$tls" = tls ]; then
    # HTTPS and a login (htpasswd, bcrypt), as a public registry; the probe expects the 401.
    printf '  tls:\n    certificate: %s\n    key: %s\n' "$TLS_CERT" "$TLS_KEY" >>"$config"
    printf 'auth:\n  htpasswd:\n    realm: rehearsal\n    path: %s\n' "$RUN_DIR/registry.htpasswd" >>"$config"
    probe=(curl -sS -o /dev/null -w '%{http_code}' --cacert "$TLS_CA" "https://$addr/v2/")
  fi
  start_daemon "registry-$name" docker-registry serve "$config"
  wait_daemon "registry-$name" 20 "${probe[@]}"
}

registry_stop() { stop_daemon "registry-$1" 10; }

# The login of registries A and B: a password of the run, in htpasswd (bcrypt) for the registries.
registry_credentials() {
  command -v htpasswd >/dev/null || die "htpasswd is missing: apt-get install apache2-utils"
  mkdir -p "$RUN_DIR"
  (umask 077; head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$REGISTRY_PASSWORD_FILE")
  htpasswd -Bbn "$REGISTRY_USER" "$(cat "$REGISTRY_PASSWORD_FILE")" >"$RUN_DIR/registry.htpasswd"
}
