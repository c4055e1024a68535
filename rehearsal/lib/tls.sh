# shellcheck shell=bash
# A certificate authority of the run and a server certificate for registries A and B (their
# names and 127.0.0.1), so they speak HTTPS as Docker Hub and GHCR do: docker-build reads an
# Index back over HTTPS only, and the rehearsal should not meet a plain-HTTP path production
# never takes. Clients trust the CA
# through SSL_CERT_FILE (Go: the CLI, the provider, buildx), NODE_EXTRA_CA_CERTS (Node: the
# program) and buildkitd.toml; nothing outside the run directory changes. Sourced after common.sh.

TLS_DIR=$RUN_DIR/tls
TLS_CA=$TLS_DIR/ca.pem
TLS_CA_BUNDLE=$TLS_DIR/ca-bundle.pem   # the system's CAs plus this one, for SSL_CERT_FILE
TLS_CERT=$TLS_DIR/registry.pem
TLS_KEY=$TLS_DIR/registry.key

tls_certificates() {
  command -v openssl >/dev/null || die "openssl is missing: apt-get install openssl"
  rm -rf "$TLS_DIR"; mkdir -p "$TLS_DIR"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=pg-trickle rehearsal CA" \
    -keyout "$TLS_DIR/ca.key" -out "$TLS_CA" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=rehearsal registries" -keyout "$TLS_KEY" -out "$TLS_DIR/registry.csr" 2>/dev/null
  local san="IP:127.0.0.1" h
  for h in $REGISTRY_HOSTS; do san+=",DNS:$h"; done
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" >"$TLS_DIR/ext.cnf"
  openssl x509 -req -in "$TLS_DIR/registry.csr" -CA "$TLS_CA" -CAkey "$TLS_DIR/ca.key" -CAcreateserial \
    -days 2 -extfile "$TLS_DIR/ext.cnf" -out "$TLS_CERT" 2>/dev/null
  cat /etc/ssl/certs/ca-certificates.crt "$TLS_CA" >"$TLS_CA_BUNDLE" 2>/dev/null || cp "$TLS_CA" "$TLS_CA_BUNDLE"
}
