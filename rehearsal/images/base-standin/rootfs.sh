#!/usr/bin/env bash
# Root file system of the postgres base-image stand-in for one architecture: Debian bookworm
# (debootstrap, minbase) with Debian's PostgreSQL 15, laid out where the official
# postgres:18-bookworm image has PostgreSQL 18 (see README.md here). Built once per set of
# package versions and kept in the tool cache as a tar file; prints that file's path.
#
#   rehearsal/images/base-standin/rootfs.sh amd64|arm64
#
# arm64 runs dpkg's maintainer scripts under QEMU user emulation (lib/qemu.sh).
# Downloads from deb.debian.org (like apt-get), runs no daemon, needs root (chroot, mounts).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/debian-apt.sh"
source "$here/lib/qemu.sh"

arch=${1:?usage: rootfs.sh amd64|arm64}
PG_DEBIAN_MAJOR=15   # the PostgreSQL bookworm has
PG_MAJOR=18          # where the official image keeps its PostgreSQL

[ "$(id -u)" -eq 0 ] || die "rootfs.sh needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"
if [ "$arch" = arm64 ] && [ "$(uname -m)" != aarch64 ]; then
  enable_qemu_arm64 || die "an arm64 root file system needs QEMU user emulation (see the log above)"
fi

# Cache key: what decides the content. Package versions from bookworm's current index, this
# script, and debootstrap's version.
debian_apt_update "$arch"
pg_version=$(debian_version "$arch" "postgresql-$PG_DEBIAN_MAJOR")
libc_version=$(debian_version "$arch" libc6)
[ -n "$pg_version" ] && [ -n "$libc_version" ] || die "bookworm's package index ($arch) has no postgresql-$PG_DEBIAN_MAJOR or libc6"
key=$(printf '%s\n' "$arch" "$DEBIAN_SUITE" "$pg_version" "$libc_version" \
  "$(debootstrap --version)" "$(sha256sum "$0" | cut -c1-64)" | sha256sum | cut -c1-16)
dest=$REHEARSAL_TOOLS/base-standin/$key
tarball=$dest/rootfs-$arch.tar
if [ -f "$dest/.complete" ]; then
  echo "$tarball"
  exit 0
fi

log "base stand-in rootfs ($arch): bookworm, postgresql-$PG_DEBIAN_MAJOR $pg_version, libc6 $libc_version (key $key): building"
work=$(mktemp -d "${TMPDIR:-/tmp}/pgt-rootfs-$arch.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root

debootstrap --variant=minbase --arch="$arch" "$DEBIAN_SUITE" "$root" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  [ -f "$root/debootstrap/debootstrap.log" ] && tail -n 30 "$root/debootstrap/debootstrap.log" >&2
  die "debootstrap ($arch) failed"
}

# Inside the root file system, as the official image's Dockerfile does it. The mounts live in
# a mount namespace of their own: they vanish with it, also when this script is killed.
cp /etc/resolv.conf "$root/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"   # no service starts during install
chmod +x "$root/usr/sbin/policy-rc.d"
unshare --mount --propagation private -- bash -euo pipefail -c '
  root=$1 pg_debian=$2 pg_major=$3
  mount -t proc proc "$root/proc"
  mount --bind /dev "$root/dev"
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C \
    bash -euo pipefail -c "
      # UID/GID 999 like the official image (CloudNativePG is told postgresUID/GID 999).
      groupadd -r --gid=999 postgres
      useradd -r -g postgres --uid=999 --home-dir=/var/lib/postgresql --shell=/bin/bash postgres
      install -d -o postgres -g postgres -m 755 /var/lib/postgresql
      # No cluster at install time: the entrypoint runs initdb on first start.
      mkdir -p /etc/postgresql-common/createcluster.d
      echo \"create_main_cluster = false\" >/etc/postgresql-common/createcluster.d/pgdg.conf
      apt-get update -q
      apt-get install -y -q --no-install-recommends postgresql-$pg_debian
      apt-get clean
      rm -rf /var/lib/apt/lists/*
    "
' bash "$root" "$PG_DEBIAN_MAJOR" "$PG_MAJOR" >"$work/install.log" 2>&1 || {
  tail -n 40 "$work/install.log" >&2
  die "installing postgresql-$PG_DEBIAN_MAJOR into the $arch root file system failed"
}
rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/resolv.conf"
: >"$root/etc/resolv.conf"   # the container runtime provides it

# PostgreSQL 15 where the official image has 18. The binaries keep their compiled-in 15 paths
# (pg_config --pkglibdir says /usr/lib/postgresql/15/lib): those are symlinks to the 18 trees.
for d in usr/lib/postgresql usr/share/postgresql; do
  mv "$root/$d/$PG_DEBIAN_MAJOR" "$root/$d/$PG_MAJOR"
  ln -s "$PG_MAJOR" "$root/$d/$PG_DEBIAN_MAJOR"
done
# The official image's sample config: one file, /usr/share/postgresql/postgresql.conf.sample,
# linked from the versioned share directory (initdb reads it there), listening on all
# addresses. docker/Dockerfile appends pg_trickle's settings to it.
mv "$root/usr/share/postgresql/$PG_MAJOR/postgresql.conf.sample" "$root/usr/share/postgresql/postgresql.conf.sample"
ln -s ../postgresql.conf.sample "$root/usr/share/postgresql/$PG_MAJOR/postgresql.conf.sample"
sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" "$root/usr/share/postgresql/postgresql.conf.sample"
grep -q "^listen_addresses = '\*'" "$root/usr/share/postgresql/postgresql.conf.sample" || die "postgresql.conf.sample: listen_addresses not set"
# Socket directory and data directory as the official image prepares them.
install -d -o 999 -g 999 -m 3777 "$root/run/postgresql"
install -d -o 999 -g 999 -m 1777 "$root/var/lib/postgresql"
install -d -o 999 -g 999 -m 1777 "$root/var/lib/postgresql/$PG_MAJOR"
install -d -o 999 -g 999 -m 1777 "$root/var/lib/postgresql/$PG_MAJOR/docker"
install -d -m 755 "$root/docker-entrypoint-initdb.d"
# Smaller, and nothing a container needs.
rm -rf "$root/usr/share/doc"/* "$root/usr/share/man"/* "$root/usr/share/info"/* "$root/var/cache/apt"/*.bin \
  "$root/var/log"/*.log "$root/var/log/apt"/* "$root/debootstrap"
rm -rf "$root/proc"/* "$root/dev"/* 2>/dev/null || true

# Checks of the layout the image promises.
test -x "$root/usr/lib/postgresql/$PG_MAJOR/bin/postgres" || die "no postgres binary under /usr/lib/postgresql/$PG_MAJOR/bin"
test -x "$root/usr/lib/postgresql/$PG_MAJOR/bin/pg_isready" || die "no pg_isready"
test -x "$root/usr/lib/postgresql/$PG_MAJOR/bin/initdb" || die "no initdb"
grep -q '^postgres:x:999:999:' "$root/etc/passwd" || die "postgres is not UID/GID 999"

chroot "$root" dpkg-query -W -f '${Package} ${Version} ${Architecture}\n' >"$work/packages.txt"
mkdir -p "$dest"
tar --sort=name --numeric-owner --xattrs -C "$root" -cf "$work/rootfs.tar" .
mv "$work/rootfs.tar" "$tarball"
mv "$work/packages.txt" "$dest/packages-$arch.txt"
printf 'arch=%s\nsuite=%s\npostgresql=%s\nlibc6=%s\n' "$arch" "$DEBIAN_SUITE" "$pg_version" "$libc_version" >"$dest/versions-$arch.txt"
touch "$dest/.complete"
log "base stand-in rootfs ($arch): $tarball ($(du -m "$tarball" | cut -f1) MB)"
echo "$tarball"
