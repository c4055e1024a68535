# shellcheck shell=bash
# A private apt for Debian bookworm packages of any architecture, in the tool cache: it never
# touches the machine's apt configuration or dpkg database. It answers "which version would
# be installed" (the stand-ins' cache keys) and downloads single .debs (server headers).
# Sourced after lib/common.sh.

DEBIAN_SUITE=bookworm
DEBIAN_MIRROR=${REHEARSAL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# private_apt <arch> <apt-get|apt-cache> <args...>
private_apt() {
  local arch=$1 tool=$2; shift 2
  local root=$REHEARSAL_TOOLS/debian/apt-$arch
  # Sources, preferences, lists and the dpkg status are this directory's; the machine's
  # apt.conf.d still applies (apt reads it before any option), e.g. a proxy setting.
  APT_CONFIG="$root/apt.conf" "$tool" \
    -o APT::Sandbox::User=root \
    -o Dir::Etc::SourceList="$root/sources.list" -o Dir::Etc::SourceParts="$root/empty" \
    -o Dir::Etc::Preferences="$root/apt.conf" -o Dir::Etc::PreferencesParts="$root/empty" \
    -o Dir::State="$root/state" -o Dir::State::status="$root/state/status" \
    -o Dir::Cache="$root/cache" \
    -o APT::Architecture="$arch" -o APT::Architectures::="$arch" \
    -o Debug::NoLocking=true -q "$@"
}

# debian_apt_update <arch>: refreshes the package lists when they are older than 12 hours.
debian_apt_update() {
  local arch=$1 root=$REHEARSAL_TOOLS/debian/apt-$1
  [ -f "$DEBIAN_KEYRING" ] || die "$DEBIAN_KEYRING is missing: apt-get install debian-archive-keyring"
  mkdir -p "$root/state/lists/partial" "$root/cache/archives/partial" "$root/debs" "$root/empty"
  touch "$root/apt.conf"
  echo "deb [signed-by=$DEBIAN_KEYRING] $DEBIAN_MIRROR $DEBIAN_SUITE main" >"$root/sources.list"
  touch "$root/state/status"
  if [ -z "$(find "$root/updated" -mmin -720 2>/dev/null)" ]; then
    private_apt "$arch" apt-get update >&2 || die "apt-get update of bookworm ($arch) failed"
    touch "$root/updated"
  fi
}

# debian_version <arch> <package>: the version bookworm has.
debian_version() {
  private_apt "$1" apt-cache show --no-all-versions "$2" | sed -n 's/^Version: //p' | head -n 1
}

# debian_download <arch> <package>: downloads its .deb into the cache; prints the path.
debian_download() {
  local arch=$1 pkg=$2 root=$REHEARSAL_TOOLS/debian/apt-$1 version file
  version=$(debian_version "$arch" "$pkg")
  [ -n "$version" ] || die "bookworm has no $pkg for $arch"
  file=$(ls "$root/debs/${pkg}_${version//:/%3a}_"*.deb 2>/dev/null | head -n 1 || true)
  if [ -z "$file" ]; then
    (cd "$root/debs" && private_apt "$arch" apt-get download "$pkg=$version" >&2) || die "download of $pkg $version ($arch) failed"
    file=$(ls "$root/debs/${pkg}_${version//:/%3a}_"*.deb | head -n 1)
  fi
  echo "$file"
}
