#!/usr/bin/env bash
# Builds the pg_trickle test double (test/fixtures/pg_trickle_double, as it is at run time)
# for each rehearsal architecture, packages it as pg_trickle <version> in the layout of
# docker/Dockerfile's `builder` stage, and pushes it to the mirror registry as
# rehearsal/pg_trickle-double:<version> (or :<version>-broken). Prints the index digest; use it as
# the named build context builder=docker-image://<mirror>/rehearsal/pg_trickle-double@<digest>.
#
#   rehearsal/images/double.sh <version> [--broken[=<reported version>]]
#
# The double's library reports the version it was compiled with: the fixture's build.sh
# compiles in its control file's default_version. Packaging builds a copy of the fixture whose
# control file says <version> and names the install script pg_trickle--<version>.sql.
# --broken compiles the library as <reported version> (default "<version>-broken") while the
# control file and script still say <version>: the image installs <version> and
# pgtrickle.version() disagrees, as with an upstream tag whose crate version was not bumped.
#
# Compiled against Debian bookworm's postgresql-server-dev-15 headers of each architecture
# (the base stand-in's PostgreSQL), with cc for amd64 and aarch64-linux-gnu-gcc for arm64.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/debian-apt.sh"
source "$here/lib/buildctl.sh"

version=${1:?usage: double.sh <version> [--broken[=<reported version>]]}
shift
broken=no reported=$version
case "${1:-}" in
  "") ;;
  --broken) broken=yes reported="$version-broken" ;;
  --broken=*) broken=yes reported=${1#--broken=} ;;
  *) die "usage: double.sh <version> [--broken[=<reported version>]]" ;;
esac
[[ $version =~ ^[0-9A-Za-z.+-]+$ ]] || die "not a version: $version"
[[ $reported =~ ^[0-9A-Za-z.+-]+$ ]] || die "not a version: $reported"

fixture=$REHEARSAL_PROJECT/test/fixtures/pg_trickle_double
control=$fixture/pg_trickle.control
[ -f "$control" ] || die "no $control"
fixture_version=$(sed -n "s/^[[:space:]]*default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" "$control")
[ -n "$fixture_version" ] || die "$control has no default_version"
sql=$fixture/pg_trickle--$fixture_version.sql
[ -f "$sql" ] || die "the double's install script $sql is missing (default_version is $fixture_version)"
fixture_sha=$(cd "$fixture" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-64)

# fixture_copy <dir> <version>: the fixture, its control file saying <version>.
fixture_copy() {
  local dir=$1 v=$2
  rm -rf "$dir"; mkdir -p "$dir"
  cp -R "$fixture/." "$dir/"
  sed -i "s/^\([[:space:]]*default_version[[:space:]]*=[[:space:]]*\)'[^']*'/\1'$v'/" "$dir/pg_trickle.control"
  grep -q "^default_version = '$v'" "$dir/pg_trickle.control" || die "could not set default_version in the double's control file"
}

# server_headers <arch>: include directory of bookworm's postgresql-server-dev-15 for <arch>.
server_headers() {
  local arch=$1 deb dir
  debian_apt_update "$arch"
  deb=$(debian_download "$arch" postgresql-server-dev-15)
  dir=$REHEARSAL_TOOLS/debian/$(basename "$deb" .deb)
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"; mkdir -p "$dir"
    dpkg-deb -x "$deb" "$dir"
    touch "$dir/.complete"
  fi
  echo "$dir/usr/include/postgresql/15/server"
}

compiler_for() {
  case "$1/$(dpkg --print-architecture)" in
    amd64/amd64 | arm64/arm64) echo cc ;;
    amd64/*) echo x86_64-linux-gnu-gcc ;;
    arm64/*) echo aarch64-linux-gnu-gcc ;;
    *) die "no compiler known for $1" ;;
  esac
}

# ELF machine of a shared library: 62 = x86-64, 183 = AArch64.
elf_machine() { od -An -t u2 -j 18 -N 2 "$1" | tr -d ' '; }

suffix=""
[ $broken = no ] || suffix=-broken
context=$WORK_DIR/double-$version$suffix
rm -rf "$context"
for arch in $(rehearsal_arches); do
  out=$context/$arch/out
  mkdir -p "$out/lib" "$out/extension"
  cc=$(compiler_for "$arch")
  command -v "$cc" >/dev/null || die "$cc is missing (amd64: gcc; arm64: gcc-aarch64-linux-gnu libc6-dev-arm64-cross)"
  include=$(server_headers "$arch")
  # The library, compiled as <reported>: the fixture's own build.sh, told the compiler and a
  # pg_config that names this architecture's server headers.
  src=$context/src-$arch
  fixture_copy "$src" "$reported"
  printf '#!/bin/sh\ncase "$1" in --includedir-server) echo "%s" ;; *) echo "pg_config stand-in: $1 unsupported" >&2; exit 1 ;; esac\n' \
    "$include" >"$context/pg_config-$arch"
  chmod +x "$context/pg_config-$arch"
  if [ -x "$src/build.sh" ]; then
    CC=$cc PG_CONFIG=$context/pg_config-$arch "$src/build.sh" "$src/build" >&2 || die "the double's build.sh failed for $arch"
  else
    "$cc" -shared -fPIC -O2 -Wall -I "$include" -DPG_TRICKLE_VERSION="\"$reported\"" \
      -o "$src/build/pg_trickle.so" "$src"/*.c || die "compiling the double for $arch failed"
  fi
  cp "$src/build/pg_trickle.so" "$out/lib/pg_trickle.so"
  case "$arch/$(elf_machine "$out/lib/pg_trickle.so")" in
    amd64/62 | arm64/183) ;;
    *) die "$out/lib/pg_trickle.so is not an $arch library" ;;
  esac
  # Control file and install script of <version>.
  fixture_copy "$context/ext" "$version"
  cp "$context/ext/pg_trickle.control" "$out/extension/pg_trickle.control"
  cp "$context/ext/pg_trickle--$fixture_version.sql" "$out/extension/pg_trickle--$version.sql"
done

tag=$version$suffix
tag=${tag//+/_}   # a tag has no "+"
ref=$MIRROR_REGISTRY/rehearsal/pg_trickle-double:$tag
digest=$(bk_push "$ref" "$here/images/double" \
  --local context="$context" \
  --opt platform="$(platforms_csv "$(rehearsal_arches)")" \
  --opt build-arg:PG_TRICKLE_VERSION="$version" \
  --opt build-arg:REPORTED_VERSION="$reported" \
  --opt build-arg:FIXTURE_SHA="$fixture_sha")
log "double: $ref@$digest (pg_trickle $version, version() reports $reported, $(platforms_csv "$(rehearsal_arches)"))"
echo "$digest"
